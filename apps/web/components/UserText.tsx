import { visiblePieces } from '../lib/visible.ts';

/**
 * Text a user typed (a note, a name, an email): isolated from the text around it (`<bdi>`), with
 * every control or bidirectional character shown as a visible `U+XXXX` mark instead of acting.
 */
export function UserText({ text }: { text: string }) {
  return (
    <bdi data-user-text="">
      {visiblePieces(text).map((p, i) =>
        'escaped' in p ? (
          <span key={i} className="escaped-char" title={`invisible character ${p.escaped}`}>
            {p.escaped}
          </span>
        ) : (
          p.text
        ),
      )}
    </bdi>
  );
}
