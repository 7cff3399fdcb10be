import { promises as fs } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const root = path.resolve(import.meta.dirname, '..', '..', '..');

/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces to dashes. */
function anchor(heading: string): string {
  return heading
    .trim()
    .toLowerCase()
    .replace(/[^\p{L}\p{N} -]/gu, '')
    .replace(/ /g, '-');
}

async function ruleFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await fs.readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, e.name);
    if (e.isDirectory()) out.push(...(await ruleFiles(full)));
    else if (/\.ya?ml$/.test(e.name)) out.push(full);
  }
  return out.sort();
}

describe('docs/sources.md: the sources inside the repository', () => {
  it('every priced rule file (cards, catalogs, validity policies, platform maps) cites a section of docs/sources.md that exists, and none cites a file outside the repository', async () => {
    const text = await fs.readFile(path.join(root, 'docs', 'sources.md'), 'utf8');
    const anchors = new Set([...text.matchAll(/^#{1,6} (.+)$/gm)].map((m) => anchor(m[1]!)));
    const files = await ruleFiles(path.join(root, 'rules'));
    let checked = 0;
    for (const file of files) {
      const src = await fs.readFile(file, 'utf8');
      const rel = path.relative(root, file);
      expect(src, rel).not.toMatch(/shared\/reference/);
      if (!/^kind: (RateCard|PlanCatalog|ValidityPolicy|PlatformMap)$/m.test(src)) continue;
      checked++;
      const comments = src
        .split('\n')
        .filter((l) => /^\s*#/.test(l))
        .join('\n');
      const cited = [...comments.matchAll(/docs\/sources\.md(#[a-z0-9-]+)((?: and | or |, )#[a-z0-9-]+)*/g)].flatMap((m) =>
        [...m[0].matchAll(/#([a-z0-9-]+)/g)].map((a) => a[1]!),
      );
      expect(cited.length, `${rel} cites no section of docs/sources.md`).toBeGreaterThan(0);
      for (const a of cited) expect(anchors.has(a), `${rel} cites #${a}, which docs/sources.md has no heading for`).toBe(true);
    }
    // The Kling pack alone has six priced files; the platform packs add more.
    expect(checked).toBeGreaterThanOrEqual(6);
  });

  it('every sourced row of docs/sources.md names a confidence from its legend', async () => {
    const all = await fs.readFile(path.join(root, 'docs', 'sources.md'), 'utf8');
    // The defaults table at the end is the list of the "default" rows' reasons.
    const text = all.slice(0, all.indexOf('## Unknown rules and the defaults chosen'));
    const levels = /\b(official|secondary|uncertain|derived|default|not found|not used|kept off)\b/i;
    const rows = text.split('\n').filter((l) => l.startsWith('| ') && !/^\|\s*-/.test(l) && !/^\| (Cell|Rule|Level|Model|Kling 3\.0|Question)/.test(l));
    expect(rows.length).toBeGreaterThan(60);
    for (const row of rows) expect(row, row).toMatch(levels);
  });
});
