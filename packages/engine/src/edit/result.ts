import type { Diagnostic } from '../diagnostics/index.ts';
import type { Kind } from '../rules/types.ts';

/** What a write to the store gives: the version written, or why nothing was. */
export type SaveResult =
  { ok: true; kind: Kind; id: string; version: number; path: string; text: string } | { ok: false; reason: SaveFailure; errors: Diagnostic[] };

/**
 * Why a save, review step or publish did not happen: the edit or step has problems, the person may
 * not take this step (reviewing their own draft), the version does not exist, or the store is not in
 * the state the step needs (changed meanwhile, published, not approved).
 */
export type SaveFailure = 'invalid' | 'forbidden' | 'not_found' | 'conflict';
