import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import { UserText } from '../components/UserText.tsx';
import { visiblePieces } from '../lib/visible.ts';

describe('user-supplied text shows its invisible characters', () => {
  it('bidi overrides, isolates, zero-width and control characters become U+XXXX marks; text, tabs and line breaks stay', () => {
    expect(visiblePieces('price \u202Eevil\u202C ok')).toEqual([
      { text: 'price ' },
      { escaped: 'U+202E' },
      { text: 'evil' },
      { escaped: 'U+202C' },
      { text: ' ok' },
    ]);
    expect(visiblePieces('\u2066a\u2069\u200Bb\u0007\u0085\uFEFF')).toEqual([
      { escaped: 'U+2066' },
      { text: 'a' },
      { escaped: 'U+2069' },
      { escaped: 'U+200B' },
      { text: 'b' },
      { escaped: 'U+0007' },
      { escaped: 'U+0085' },
      { escaped: 'U+FEFF' },
    ]);
    expect(visiblePieces('two\tcolumns\nand lines, café, 日本')).toEqual([{ text: 'two\tcolumns\nand lines, café, 日本' }]);
    expect(visiblePieces('')).toEqual([{ text: '' }]);
  });

  it('the rendered note holds no raw override character and is isolated from the text around it', () => {
    const html = renderToStaticMarkup(createElement(UserText, { text: 'raise \u202E01 ot 05\u202C' }));
    expect(html).not.toMatch(/[\u202A-\u202E\u2066-\u2069]/);
    expect(html).toBe(
      '<bdi data-user-text="">raise <span class="escaped-char" title="invisible character U+202E">U+202E</span>01 ot 05<span class="escaped-char" title="invisible character U+202C">U+202C</span></bdi>',
    );
  });
});
