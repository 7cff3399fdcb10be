import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  allowedRequests,
  compileCard,
  loadFiles,
  MAX_GRID_REQUESTS,
  MemoryStore,
  priceCard,
  saveDraft,
  stepBudget,
  type RateCard,
  type StoredFile,
} from '@creditbook/engine';
import { DirectoryStore } from '@creditbook/engine/node';
import { demoPack } from './support/fixtures.ts';

const rulesDir = path.resolve(import.meta.dirname, '..', '..', '..', 'rules');
const consumerV2 = readFileSync(path.join(rulesDir, 'rate-cards/kling-consumer/v2.yaml'), 'utf8');
const DRAFT = 'rate-cards/kling-consumer/v3.yaml';

/** kling-consumer v2 as a v3 draft, with some of its cells replaced (line number -> new value). */
function draft(cells: Record<number, string>): StoredFile {
  const lines = consumerV2
    .replace(/^version: 2$/m, 'version: 3')
    .replace(/^status: published$/m, 'status: draft')
    .split('\n');
  for (const [n, value] of Object.entries(cells)) {
    const i = Number(n) - 1;
    lines[i] = lines[i]!.replace(/: \d+(\s)/, `: ${value}$1`);
  }
  return { path: DRAFT, text: lines.join('\n') };
}

async function bundledWith(extra: StoredFile) {
  const files = await new DirectoryStore(rulesDir).list();
  return loadFiles([...files, extra]);
}

/** A small card: one dimension whose values are given, the formula and parameters as given. */
function card(values: number[], credits: string, extra = ''): StoredFile {
  return {
    path: 'c.yaml',
    text: `kind: RateCard
id: c
version: 1
effective_from: 2025-01-01
status: published
audit: { author: tests, saved_at: 2025-01-01T00:00:00Z }
pool: consumer
dimensions:
  duration_s: { values: [${values.join(', ')}] }
credits: "${credits}"
${extra}`,
  };
}

describe('validation prices every request a card allows', () => {
  // kling-consumer v2, lines 63 and 68:
  //         "5": 35    <- clip_credits / kling-v1-6 / pro / 5, the value at column 14
  //         "10": 40   <- clip_credits / kling-v2-1 / std / 10, the value at column 15
  it('a draft with two bad cells is two problems, each at its own cell', async () => {
    const loaded = await bundledWith(draft({ 63: '35.5', 68: '-40' }));
    const mine = loaded.errors.filter((e) => e.file === DRAFT);
    expect(loaded.errors).toEqual(mine);
    expect(mine.map((e) => [e.code, e.line, e.col, e.path])).toEqual([
      ['F_FRACTIONAL', 63, 14, '/parameters/clip_credits/kling-v1-6/pro/5'],
      ['F_NEGATIVE', 68, 15, '/parameters/clip_credits/kling-v2-1/std/10'],
    ]);
    // Neither cell is an example's: the examples alone would have passed this card.
    expect(mine[0]!.message).toContain('35.5 for model=kling-v1-6 mode=pro duration_s=5 resolution=1080p');
  });

  it('a price over the bound is a problem at its cell (1e300 credits for one clip)', async () => {
    const loaded = await bundledWith(draft({ 68: '1e300' }));
    expect(loaded.errors.map((e) => [e.code, e.line, e.col])).toEqual([['F_TOO_LARGE', 68, 15]]);
  });

  it('prices each allowed request once: 14 for kling-consumer, 92 for kling-api', async () => {
    const files = await new DirectoryStore(rulesDir).list();
    const loaded = await loadFiles(files);
    expect(loaded.errors).toEqual([]);
    // kling-consumer v2: v1-6, v2-1 and 2.5 Turbo have std and pro, each with one resolution, at 5 or 10 s:
    // 3 models x 2 modes x 2 durations = 12; 2.1 Master has one mode and resolution: 2 more = 14.
    const consumer = loaded.pricing.get('rate-cards/kling-consumer/v2.yaml')!;
    expect(consumer.cells.length).toBe(14);
    expect(consumer.cells.every((c) => c.priced.ok)).toBe(true);
    // kling-api v1: four clip models at 5 or 10 s with no audio: 3 x 2 modes x 2 + Master 1 x 2 = 14;
    // Kling 3.0: 2 modes x 13 seconds (3..15) x 3 audio options = 78; 92 in all.
    expect(loaded.pricing.get('rate-cards/kling-api/v1.yaml')!.cells.length).toBe(92);
  });

  it('runs the examples without evaluating them again: a card with examples spends what the grid spends', async () => {
    const base = {
      kind: 'RateCard',
      id: 'x',
      version: 1,
      effective_from: '2025-01-01',
      status: 'draft',
      audit: { author: 'a', saved_at: '2025-01-01' },
      pool: 'p',
    } as const;
    // A formula no other test uses, so neither pricing is one remembered from before.
    const plain = { ...base, dimensions: { duration_s: { values: [5, 10, 15] } }, credits: 'duration_s * 2 + 7919' } as RateCard;
    const withExamples = {
      ...plain,
      examples: [
        { request: { duration_s: 5 }, credits: 7929 },
        { request: { duration_s: 15 }, credits: 7949 },
      ],
    } as RateCard;
    const a = stepBudget();
    const b = stepBudget();
    await priceCard(plain, { budget: a });
    const pb = await priceCard(withExamples, { budget: b });
    expect(a.spent).toBeGreaterThan(0);
    expect(b.spent).toBe(a.spent);
    // 5 * 2 + 7919 = 7929; 15 * 2 + 7919 = 7949.
    expect(pb.examples.map((e) => e.priced.ok && e.priced.credits)).toEqual([7929, 7949]);
    // And a card priced before is remembered: pricing it again spends nothing.
    const c = stepBudget();
    await priceCard(withExamples, { budget: c });
    expect(c.spent).toBe(0);
  });

  it('one step budget is shared by every evaluation: a recursing card stops with one positioned F_BUDGET', async () => {
    // A loop of ~100,000 steps per request (each stopped by the per-formula bound), 40 requests:
    // 4,000,000 steps wanted, 300,000 allowed, so three requests are priced and the rest are not.
    const values = Array.from({ length: 40 }, (_, i) => i + 1);
    const hostile = card(values, '$reduce([1..99999], function($a, $x){ $a + $x }, 0) * 0 + duration_s');
    const budget = stepBudget();
    const loaded = await loadFiles([hostile], { budget });
    expect(budget.spent).toBe(budget.total);
    expect(loaded.errors.map((e) => [e.code, e.line, e.col, e.path])).toEqual([
      // credits: "..." is line 10; the formula's first character is column 11.
      ['F_BUDGET', 10, 11, '/credits'],
      ['F_LIMIT', 10, 11, '/credits'],
    ]);
    expect(loaded.errors[0]!.message).toContain('of 40 requests of c v1 priced');
  });

  it('a save takes one budget for all its loads', async () => {
    const values = Array.from({ length: 40 }, (_, i) => i + 1);
    const text = card(values, '$reduce([1..99998], function($a, $x){ $a + $x }, 0) * 0 + duration_s').text.replace('id: c', 'id: hostile');
    const store = new MemoryStore(demoPack());
    const r = await saveDraft(store, { text, baseVersion: 0, author: 'a', file: 'editor' });
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors.map((e) => e.code)).toEqual(['F_BUDGET', 'F_LIMIT']);
    expect((await store.list()).length).toBe(3);
  });
});

describe('the grid is capped', () => {
  it('a card allowing more requests than the cap is one problem at its dimensions, and nothing is priced', async () => {
    // 2 dimensions of 200 values: 40,000 requests, over the 10,000 cap.
    const values = Array.from({ length: 200 }, (_, i) => i + 1).join(', ');
    const text = `kind: RateCard
id: big
version: 1
effective_from: 2025-01-01
status: published
audit: { author: tests, saved_at: 2025-01-01T00:00:00Z }
pool: consumer
dimensions:
  a: { values: [${values}] }
  b: { values: [${values}] }
credits: a + b
`;
    expect(MAX_GRID_REQUESTS).toBe(10_000);
    const loaded = await loadFiles([{ path: 'big.yaml', text }]);
    expect(loaded.errors.map((e) => [e.code, e.line, e.col, e.path])).toEqual([['R_GRID_TOO_LARGE', 9, 3, '/dimensions']]);
    expect(loaded.pricing.get('big.yaml')!.cells).toEqual([]);
  });

  it('the walk over the schema-largest card (16 dimensions of 200 values) stops at its own bound', () => {
    const dims: RateCard['dimensions'] = {};
    for (let i = 0; i < 16; i++) dims[`d${i}`] = { values: Array.from({ length: 200 }, (_, v) => v) };
    // The last dimension is narrowed to nothing whenever d0 is 0: no request there, yet the walk must stop.
    const c = {
      kind: 'RateCard',
      id: 'x',
      version: 1,
      effective_from: '2025-01-01',
      status: 'draft',
      audit: { author: 'a', saved_at: '2025-01-01' },
      pool: 'p',
      dimensions: dims,
      credits: '1',
    } as RateCard;
    const grid = allowedRequests(compileCard(c));
    expect(grid.complete).toBe(false);
    expect(grid.requests.length).toBeLessThanOrEqual(MAX_GRID_REQUESTS);
  });
});
