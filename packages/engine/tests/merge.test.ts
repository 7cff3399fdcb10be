import { describe, expect, it } from 'vitest';
import { leavesOf, mergeCells, pathKey, setValue } from '@creditbook/engine';
import { demoPack } from './support/fixtures.ts';

const base = demoPack()[0]!.text;
const cell = (text: string, model: string, mode: string, d: string) =>
  leavesOf(text)!.find((l) => pathKey(l.path) === pathKey(['parameters', 'clip', model, mode, d]))?.value;

describe('three-way merge of cells', () => {
  it('a merge of two non-overlapping edits keeps both', () => {
    // They changed m1 std 5 s (10 -> 12) and saved; I changed m1 pro 10 s (70 -> 75) from the same base.
    const theirs = base.replace('std: { "5": 10,', 'std: { "5": 12,').replace('version: 1', 'version: 2');
    const mine = base.replace('"10": 70', '"10": 75');
    const r = mergeCells(base, theirs, mine);
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.conflicts).toEqual([]);
    expect(cell(r.text, 'm1', 'std', '5')).toBe(12);
    expect(cell(r.text, 'm1', 'pro', '10')).toBe(75);
    expect(r.merged).toEqual([['parameters', 'clip', 'm1', 'pro', '10']]);
    // Only that value's characters changed in their text.
    expect(r.text).toBe(theirs.replace('"10": 70', '"10": 75'));
  });

  it('a cell both changed differently is a conflict, resolved by the choice given', () => {
    const theirs = base.replace('"10": 70', '"10": 72');
    const mine = base.replace('"10": 70', '"10": 75').replace('"5": 140', '"5": 150');
    const r = mergeCells(base, theirs, mine);
    expect(r.ok && r.conflicts).toEqual([{ path: ['parameters', 'clip', 'm1', 'pro', '10'], base: 70, theirs: 72, mine: 75 }]);
    if (!r.ok) return;
    expect(cell(r.text, 'm1', 'pro', '10')).toBe(72);
    expect(cell(r.text, 'm2', 'single', '5')).toBe(150);
    const chosen = mergeCells(base, theirs, mine, { [pathKey(['parameters', 'clip', 'm1', 'pro', '10'])]: 'mine' });
    expect(chosen.ok && chosen.conflicts).toEqual([]);
    if (chosen.ok) expect(cell(chosen.text, 'm1', 'pro', '10')).toBe(75);
  });

  it('the same change on both sides is no conflict; header fields never are', () => {
    const theirs = base.replace('"10": 70', '"10": 75').replace('version: 1', 'version: 2').replace('status: published', 'status: draft');
    const mine = base.replace('"10": 70', '"10": 75');
    const r = mergeCells(base, theirs, mine);
    expect(r.ok && r.conflicts).toEqual([]);
    expect(r.ok && r.text).toBe(theirs);
  });

  it('text that does not parse is refused, naming the side', () => {
    expect(mergeCells(base, base, 'kind: [')).toEqual({ ok: false, reason: 'mine' });
  });
});

describe('surgical edits keep the text as written', () => {
  it('rewrites one scalar, a flow audit map in place, and a block map at its indentation', () => {
    const one = setValue(base, ['parameters', 'clip', 'm1', 'std', '5'], 11)!;
    expect(one).toBe(base.replace('std: { "5": 10,', 'std: { "5": 11,'));
    const audit = setValue(base, ['audit'], { author: 'a', saved_at: '2025-02-01T00:00:00Z' })!;
    expect(audit).toBe(base.replace('audit: { author: tests, saved_at: 2025-01-01T00:00:00Z }', 'audit: { author: a, saved_at: 2025-02-01T00:00:00Z }'));
    const blockText = 'kind: X # kind\naudit:\n  author: a   # who\n  note: >-\n    long\n    note\ntitle: t\n';
    expect(setValue(blockText, ['audit'], { author: 'b', based_on: 1 })).toBe('kind: X # kind\naudit:\n  author: b\n  based_on: 1\ntitle: t\n');
  });
});
