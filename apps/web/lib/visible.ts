/**
 * Characters that change how text around them reads without being seen: C0 and C1 controls (a tab
 * and a line break excepted), the bidirectional overrides, embeddings, isolates and marks (the
 * "Trojan Source" characters), zero-width characters and the byte-order mark.
 */
// eslint-disable-next-line no-control-regex
const INVISIBLE = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/gu;

/** A piece of user-supplied text: shown as written, or an invisible character shown by its code point. */
export type TextPiece = { text: string } | { escaped: string };

/** Splits user-supplied text so every invisible character is shown as `U+XXXX` rather than acting on the page. */
export function visiblePieces(text: string): TextPiece[] {
  const out: TextPiece[] = [];
  let at = 0;
  for (const m of text.matchAll(INVISIBLE)) {
    if (m.index > at) out.push({ text: text.slice(at, m.index) });
    out.push({ escaped: `U+${m[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, '0')}` });
    at = m.index + m[0].length;
  }
  if (at < text.length || out.length === 0) out.push({ text: text.slice(at) });
  return out;
}
