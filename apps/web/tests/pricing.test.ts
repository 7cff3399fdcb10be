import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import * as api from '../lib/routes.ts';
import { cookieOf, editor, useRulesCopy } from './support/rules-copy.ts';

let dir: string;

useRulesCopy('pricing', (d) => (dir = d));

async function post(url: string, body: unknown): Promise<Request> {
  const cookie = await cookieOf(editor);
  return new Request(`http://localhost${url}`, { method: 'POST', headers: { 'content-type': 'application/json', cookie }, body: JSON.stringify(body) });
}

/** kling-consumer v2 with cells replaced by line: 63 is kling-v1-6 / pro / 5, 68 is kling-v2-1 / std / 10. */
function edited(cells: Record<number, string>): string {
  const lines = readFileSync(path.join(dir, 'rate-cards/kling-consumer/v2.yaml'), 'utf8').split('\n');
  for (const [n, v] of Object.entries(cells)) lines[Number(n) - 1] = lines[Number(n) - 1]!.replace(/: \d+(\s)/, `: ${v}$1`);
  return lines.join('\n');
}

type Shown = { code: string; line: number; col: number; path: string };
const where = (errors: Shown[]) => errors.map((e) => [e.code, e.line, e.col, e.path]);

describe('bad cells are positioned errors in the preview and on save', () => {
  const twoBad = [
    ['F_FRACTIONAL', 63, 14, '/parameters/clip_credits/kling-v1-6/pro/5'],
    ['F_NEGATIVE', 68, 15, '/parameters/clip_credits/kling-v2-1/std/10'],
  ];

  it('/api/validate reports -40 and 35.5 each at its cell, and the grid shows both cells unpriced', async () => {
    const res = await api.validate(await post('/api/validate', { text: edited({ 63: '35.5', 68: '-40' }), base_version: 2 }));
    expect(res.status).toBe(200);
    const preview = await res.json();
    expect(where(preview.errors)).toEqual(twoBad);
    const cells = preview.grid.rows.flatMap((r: { cells: ({ credits: number | null; problem: string | null } | null)[] }) => r.cells).filter(Boolean);
    // 14 requests (see the engine's price-grid test); two of them cannot be priced.
    expect(cells.length).toBe(14);
    expect(
      cells
        .filter((c: { credits: number | null }) => c.credits === null)
        .map((c: { problem: string }) => c.problem.split(' ')[0])
        .sort(),
    ).toEqual(['F_FRACTIONAL', 'F_NEGATIVE']);
    // The examples come from the same pricing: all four pass (none uses a bad cell).
    expect(preview.examples.map((e: { pass: boolean }) => e.pass)).toEqual([true, true, true, true]);
  });

  it('1e300 is over the bound, at its cell', async () => {
    const preview = await (await api.validate(await post('/api/validate', { text: edited({ 68: '1e300' }), base_version: 2 }))).json();
    expect(where(preview.errors)).toEqual([['F_TOO_LARGE', 68, 15, '/parameters/clip_credits/kling-v2-1/std/10']]);
  });

  it('saving the same text is refused with the same two problems', async () => {
    const res = await api.saveVersion(await post('/api/versions', { text: edited({ 63: '35.5', 68: '-40' }), base_version: 2 }));
    expect(res.status).toBe(400);
    expect(where((await res.json()).errors)).toEqual(twoBad);
  });
});
