/**
 * The soak's extra clients, in a process of their own so that what they cost the load generator
 * (building and sending 8 MB bodies) is not measured as the server's latency. Two kinds: hostile
 * (bodies over their limits, a card whose formula recurses, deep YAML, failed sign-ins, TRACE,
 * undecodable paths, too many variants) and ordinary (the normal requests). Each client waits
 * PACE_MS between requests. Runs until SIGTERM, then prints what it saw as one JSON line.
 *
 *   node --import tsx soak-client.ts '{"url", "viewer", "editor", "kind", "clients", "repoRoot"}'
 */
import { readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';

/** The pause of each extra client between its requests. */
export const PACE_MS = 50;

export interface ClientReport {
  sent: number;
  /** Statuses per request kind. */
  statuses: Record<string, Record<string, number>>;
  /** Answers that were not what the kind must get. */
  wrong: string[];
}

interface Kind {
  name: string;
  /** The statuses it may get: anything else is a failure of the server's defences. */
  expect: readonly number[];
  /** What the answer's body must show, when it matters. */
  contains?: RegExp;
  send: (k: number) => Promise<{ status: number; body: string }>;
}

/** A request fetch cannot make (TRACE is a forbidden method there): the status only. */
function rawStatus(url: string, method: string, path: string): Promise<{ status: number; body: string }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: hostname, port, method, path }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: '' }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** A small card pricing 40 requests with a loop of ~100,000 steps each; `k` makes each one new. */
function recursingCard(k: number): string {
  const values = Array.from({ length: 40 }, (_, i) => i + 1).join(', ');
  return `kind: RateCard
id: soak-${k}
version: 1
effective_from: 2025-01-01
status: draft
audit: { author: soak, saved_at: 2025-01-01T00:00:00Z }
pool: consumer
dimensions:
  duration_s: { values: [${values}] }
credits: "$reduce([1..99999], function($a, $x){ $a + $x }, 0) * 0 + duration_s + ${k % 7}"
`;
}

/** The normal requests, in turn: a quote (kling-consumer v2, kling-v2-5-turbo pro 10 s: 105 credits on its table), a remembered what-if, the rules list. */
export function normalKinds(url: string, viewer: string): Kind[] {
  const get = (path: string) => async () => {
    const r = await fetch(`${url}${path}`, { headers: { cookie: viewer } });
    return { status: r.status, body: await r.text() };
  };
  return [
    {
      name: 'a quote',
      expect: [200],
      contains: /"credits":105[,}]/,
      send: get('/api/quote?card=kling-consumer&version=2&model=kling-v2-5-turbo&mode=pro&duration=10'),
    },
    { name: 'a remembered what-if', expect: [200], send: get('/api/compare?scenario=agency-campaigns') },
    { name: 'the rules list', expect: [200], send: get('/api/rules') },
  ];
}

function hostileKinds(url: string, viewer: string, editor: string, repoRoot: string): Kind[] {
  const post = async (route: string, cookie: string | undefined, body: string) => {
    const r = await fetch(`${url}${route}`, { method: 'POST', headers: { 'content-type': 'application/json', ...(cookie ? { cookie } : {}) }, body });
    return { status: r.status, body: await r.text() };
  };
  const v2 = readFileSync(join(repoRoot, 'rules/rate-cards/kling-consumer/v2.yaml'), 'utf8');
  const bigLogin = `{"email":"${'x'.repeat(8 * 2 ** 20)}"}`;
  const bigSave = JSON.stringify({ text: v2 + `# ${'y'.repeat(3 * 2 ** 20)}\n`, base_version: 2 });
  const deep = JSON.stringify({ text: `kind: RateCard\nid: deep\nx: ${'['.repeat(2_000)}${']'.repeat(2_000)}\n`, base_version: 0 });
  const many = JSON.stringify({ scenario: 'agency-campaigns', custom: Array.from({ length: 51 }, (_, i) => ({ name: `m${i}`, demand_scale: 1 + i / 100 })) });
  return [
    { name: 'an 8 MB anonymous sign-in body', expect: [413], send: () => post('/api/auth/login', undefined, bigLogin) },
    { name: 'a 3 MB save', expect: [413], send: () => post('/api/versions', editor, bigSave) },
    {
      name: 'a card whose formula recurses (new each time)',
      expect: [200],
      contains: /"F_BUDGET"|"F_LIMIT"/,
      send: (k) => post('/api/validate', viewer, JSON.stringify({ text: recursingCard(k), base_version: 0 })),
    },
    { name: 'YAML nested 2,000 levels deep', expect: [200], contains: /"Y_TOO_DEEP"/, send: () => post('/api/validate', viewer, deep) },
    {
      name: 'a failed sign-in',
      expect: [401, 429],
      send: (k) => post('/api/auth/login', undefined, JSON.stringify({ email: 'nobody@creditbook.local', password: `guess-${k}` })),
    },
    { name: 'TRACE', expect: [405], send: () => rawStatus(url, 'TRACE', '/api/rules') },
    { name: 'an undecodable path', expect: [400], send: () => rawStatus(url, 'GET', '/api/rules/rate-card/%C0') },
    { name: 'a what-if with 51 variants', expect: [400], send: () => post('/api/compare', viewer, many) },
  ];
}

/** Sends `kinds` in turn from `clients` loops until `done()`; what each answer was. */
export async function run(kinds: readonly Kind[], clients: number, done: () => boolean, paceMs: number): Promise<ClientReport> {
  const report: ClientReport = { sent: 0, statuses: {}, wrong: [] };
  await Promise.all(
    Array.from({ length: clients }, async () => {
      while (!done()) {
        const k = report.sent++;
        const kind = kinds[k % kinds.length]!;
        const r = await kind.send(k);
        const seen = (report.statuses[kind.name] ??= {});
        seen[r.status] = (seen[r.status] ?? 0) + 1;
        if (!kind.expect.includes(r.status) || (kind.contains !== undefined && !kind.contains.test(r.body)))
          report.wrong.push(`${kind.name}: ${r.status} ${r.body.slice(0, 120)}`);
        if (paceMs > 0) await new Promise((resolve) => setTimeout(resolve, paceMs));
      }
    }),
  );
  return report;
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop()!)) {
  const c = JSON.parse(process.argv[2] ?? '{}') as {
    url: string;
    viewer: string;
    editor: string;
    kind: 'hostile' | 'ordinary';
    clients: number;
    repoRoot: string;
  };
  const kinds = c.kind === 'hostile' ? hostileKinds(c.url, c.viewer, c.editor, c.repoRoot) : normalKinds(c.url, c.viewer);
  // Every kind once before the measured load (first loads compile, caches fill), then ready.
  for (const [k, kind] of kinds.entries()) await kind.send(1_000_000 + k);
  let stop = false;
  process.on('SIGTERM', () => (stop = true));
  process.stdout.write('ready\n');
  const report = await run(kinds, c.clients, () => stop, PACE_MS);
  process.stdout.write(`${JSON.stringify(report)}\n`);
}
