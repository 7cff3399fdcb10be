import type { Diagnostic } from '../diagnostics/index.ts';
import type { Kind } from '../rules/types.ts';

/** What a write to the store gives: the version written, or why nothing was (HTTP-like status: 400 bad input, 403 self-review, 404 unknown, 409 state or conflict). */
export type SaveResult =
  | { ok: true; kind: Kind; id: string; version: number; path: string; text: string }
  | { ok: false; status: 400 | 403 | 404 | 409; errors: Diagnostic[] };
