import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { compare, loadStore, MANIFEST_PATH, writeManifest } from '@creditbook/engine';
import { DirectoryStore } from '@creditbook/engine/node';
import { beforeAll, describe, expect, it } from 'vitest';
import * as api from '../lib/routes.ts';
import { cookieOf, useRulesCopy, viewer } from './support/rules-copy.ts';

let dir = '';
let cookie: string;

useRulesCopy('etag', (d) => (dir = d));
beforeAll(async () => {
  cookie = await cookieOf(viewer);
});

const get = (query: string, headers: Record<string, string> = {}) =>
  api.compareRoute(new Request(`http://localhost/api/compare?${query}`, { headers: { cookie, ...headers } }));

describe('GET /api/compare: a remembered comparison', () => {
  it('carries an ETag, and answers 304 with no body to If-None-Match with that tag', async () => {
    const first = await get('scenario=agency-campaigns&variant=premier-tier');
    expect(first.status).toBe(200);
    const etag = first.headers.get('etag')!;
    expect(etag).toMatch(/^"[A-Za-z0-9_-]{32}"$/);
    expect(first.headers.get('cache-control')).toBe('private, no-cache');
    const body = (await first.json()) as { runs: { name: string }[] };
    // The answer is the engine's comparison of the base and premier-tier.
    const { rules } = await loadStore(new DirectoryStore(dir));
    const want = await compare(rules, rules.latest('Scenario', 'agency-campaigns')!.doc, { variants: ['premier-tier'] });
    expect(body).toEqual(JSON.parse(JSON.stringify(want)));
    const again = await get('scenario=agency-campaigns&variant=premier-tier', { 'if-none-match': etag });
    expect(again.status).toBe(304);
    expect(again.headers.get('etag')).toBe(etag);
    expect(await again.text()).toBe('');
    // A list of tags, and a weak form of the same tag, match too.
    expect((await get('scenario=agency-campaigns&variant=premier-tier', { 'if-none-match': `"other", W/${etag}` })).status).toBe(304);
  });

  it('answers 200 with the body to a tag of another what-if, and to no session at all 401', async () => {
    const a = (await get('scenario=agency-campaigns&variant=premier-tier')).headers.get('etag')!;
    const b = await get('scenario=agency-campaigns&variant=annual-billing', { 'if-none-match': a });
    expect(b.status).toBe(200);
    expect(b.headers.get('etag')).not.toBe(a);
    expect(((await b.json()) as { runs: { name: string }[] }).runs.map((r) => r.name)).toEqual(['base', 'annual-billing']);
    const anonymous = await api.compareRoute(
      new Request('http://localhost/api/compare?scenario=agency-campaigns&variant=premier-tier', { headers: { 'if-none-match': a } }),
    );
    expect(anonymous.status).toBe(401);
  });

  it('gives the old tag a full answer once the rules changed', async () => {
    const before = (await get('scenario=agency-campaigns&variant=premier-tier')).headers.get('etag')!;
    const file = path.join(dir, 'scenarios/agency-campaigns.yaml');
    const text = readFileSync(file, 'utf8');
    // One more generation a month on the first demand line: other credits, another answer.
    const edited = text.replace(/^( {4}count: )30$/m, '$131');
    expect(edited).not.toBe(text);
    // A reviewed hand edit: the file and the manifest (`creditbook manifest`) change together, or the app reads R_TAMPERED.
    const manifest = readFileSync(path.join(dir, MANIFEST_PATH), 'utf8');
    writeFileSync(file, edited);
    try {
      expect((await writeManifest(new DirectoryStore(dir))).ok).toBe(true);
      const after = await get('scenario=agency-campaigns&variant=premier-tier', { 'if-none-match': before });
      expect(after.status).toBe(200);
      expect(after.headers.get('etag')).not.toBe(before);
    } finally {
      writeFileSync(file, text);
      writeFileSync(path.join(dir, MANIFEST_PATH), manifest);
    }
  });

  it('streams a large answer in chunks with its length', async () => {
    const custom = Array.from({ length: 40 }, (_, i) => ({ name: `scaled-${i}`, demand_scale: 1 + i / 100 }));
    const r = await api.compareRoute(
      new Request('http://localhost/api/compare', {
        method: 'POST',
        headers: { cookie, 'content-type': 'application/json' },
        body: JSON.stringify({ scenario: 'agency-campaigns', variants: [], custom }),
      }),
    );
    expect(r.status).toBe(200);
    const length = Number(r.headers.get('content-length'));
    expect(length).toBeGreaterThan(64 * 1024);
    const chunks: number[] = [];
    const reader = r.body!.getReader();
    for (let c = await reader.read(); !c.done; c = await reader.read()) chunks.push(c.value.length);
    expect(chunks.length).toBe(Math.ceil(length / (64 * 1024)));
    expect(chunks.reduce((a, b) => a + b, 0)).toBe(length);
  });
});
