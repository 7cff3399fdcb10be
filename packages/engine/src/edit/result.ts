import type { Diagnostic } from '../diagnostics/index.ts';
import type { Kind } from '../rules/types.ts';

/** What a write to the store gives: the version written, or why nothing was (HTTP-like status and problems). */
export type SaveResult =
  | { ok: true; kind: Kind; id: string; version: number; path: string; text: string }
  | { ok: false; status: 400 | 404 | 409; errors: Diagnostic[] };
