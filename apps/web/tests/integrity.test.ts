import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import * as api from '../lib/routes.ts';
import type { User } from '../lib/users.ts';
import { approver, cookieOf, editor, useRulesCopy } from './support/rules-copy.ts';

/** Effective dates in tests lie in the future whatever today is (publishing refuses past dates). */
const NEXT_YEAR = new Date().getUTCFullYear() + 1;
let dir: string;
const V2 = 'rate-cards/kling-consumer/v2.yaml';

useRulesCopy('integrity', (d) => (dir = d));
afterEach(() => vi.restoreAllMocks());

async function req(url: string, init: { body?: unknown; user: User }): Promise<Request> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  headers['cookie'] = await cookieOf(init.user);
  return new Request(`http://localhost${url}`, {
    method: init.body === undefined ? 'GET' : 'POST',
    headers,
    ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
  });
}
const params = (p: Record<string, string>) => ({ params: Promise.resolve(p) });
type Err = { code: string; file: string; line: number; col: number; formatted?: string };
const errors = async (res: Response): Promise<Err[]> => ((await res.json()) as { errors: Err[] }).errors;

/** Saves, submits and approves a draft of kling-consumer; returns its version. */
async function approvedDraft(note: string): Promise<number> {
  const latest = Math.max(...readdirSync(path.join(dir, 'rate-cards/kling-consumer')).map((f) => Number(/^v(\d+)\.yaml$/.exec(f)?.[1] ?? 0)));
  const text = readFileSync(path.join(dir, `rate-cards/kling-consumer/v${latest}.yaml`), 'utf8');
  const saved = await api.saveVersion(
    await req('/api/versions', { body: { text: text.replace('"5": 10 ', `"5": ${10 + latest} `), base_version: latest, note }, user: editor }),
  );
  expect(saved.status).toBe(201);
  const version = ((await saved.json()) as { version: number }).version;
  const p = { kind: 'rate-card', id: 'kling-consumer', version: String(version) };
  const url = `/api/versions/rate-card/kling-consumer/${version}`;
  expect((await api.submitVersion(await req(`${url}/submit`, { body: { note }, user: editor }), params(p))).status).toBe(200);
  expect((await api.reviewVersion(await req(`${url}/review`, { body: { decision: 'approve' }, user: approver }), params(p))).status).toBe(200);
  return version;
}
const publishReq = async (version: number) =>
  api.publishVersion(
    await req(`/api/versions/rate-card/kling-consumer/${version}/publish`, { body: { effective_from: `${NEXT_YEAR}-01-01` }, user: editor }),
    params({ kind: 'rate-card', id: 'kling-consumer', version: String(version) }),
  );
const quoteV2 = async () => api.quoteGet(await req('/api/quote?card=kling-consumer&version=2&model=kling-v2-5-turbo&mode=std&duration=10', { user: editor }));

/** The store's files (hidden ones too), with their text. */
const snapshot = () =>
  new Map(
    (readdirSync(dir, { recursive: true }) as string[])
      .filter((f) => fs.statSync(path.join(dir, f)).isFile())
      .map((f) => [f, readFileSync(path.join(dir, f), 'utf8')]),
  );

describe('I/O errors are answers in the documented shape', () => {
  it('a save on a full disk is 507 {"errors": [E_DISK_FULL]}, JSON, nothing written', async () => {
    const before = snapshot();
    const open = fs.promises.open.bind(fs.promises);
    vi.spyOn(fs.promises, 'open').mockImplementation(async (file, flags, mode) => {
      if (String(file).endsWith('.tmp')) throw Object.assign(new Error('ENOSPC: no space left on device'), { code: 'ENOSPC', path: String(file) });
      return open(file, flags, mode);
    });
    const text = readFileSync(path.join(dir, V2), 'utf8');
    const res = await api.saveVersion(await req('/api/versions', { body: { text, base_version: 2 }, user: editor }));
    expect(res.status).toBe(507);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    const list = await errors(res);
    expect(list.map((e) => e.code)).toEqual(['E_DISK_FULL']);
    // The server's own paths are not shown.
    expect(JSON.stringify(list)).not.toContain(dir);
    vi.restoreAllMocks();
    expect(snapshot()).toEqual(before);
  });

  it('a publish on a read-only store is 503 {"errors": [E_STORE_READ_ONLY]}, and the store is unchanged', async () => {
    const version = await approvedDraft('read-only publish');
    const before = snapshot();
    vi.spyOn(fs.promises, 'open').mockImplementation(async (file) => {
      throw Object.assign(new Error('EROFS: read-only file system'), { code: 'EROFS', path: String(file) });
    });
    const res = await publishReq(version);
    expect(res.status).toBe(503);
    expect((await errors(res)).map((e) => e.code)).toEqual(['E_STORE_READ_ONLY']);
    vi.restoreAllMocks();
    expect(snapshot()).toEqual(before);
    expect((await publishReq(version)).status).toBe(200);
  });

  it('an unexpected failure is 500 {"errors": [H_INTERNAL]}, never an empty body', async () => {
    const res = await api.answered(async () => {
      throw new TypeError('cannot read x of undefined');
    });
    expect(res.status).toBe(500);
    expect((await errors(res)).map((e) => e.code)).toEqual(['H_INTERNAL']);
  });
});

describe('the web app checks the manifest as `creditbook validate` does', () => {
  it('a hand-edited published price is R_TAMPERED on the Rules list; the card is not quoted or published; other cards still quote', async () => {
    const version = await approvedDraft('before tampering');
    // kling-v2-5-turbo std 10 s on v2: clip_credits.kling-v2-5-turbo.std."10" = 63 as published (0.6 × 105, rounded).
    const clean = await quoteV2();
    expect(clean.status).toBe(200);
    expect(((await clean.json()) as { credits: number }).credits).toBe(63);

    const file = path.join(dir, V2);
    const original = readFileSync(file, 'utf8');
    writeFileSync(file, original.replace(/"10": 63\b/, '"10": 6'));
    expect(readFileSync(file, 'utf8')).not.toBe(original);

    const listed = (await (await api.listRules(await req('/api/rules', { user: editor }))).json()) as { problems: Err[] };
    expect(listed.problems.filter((p) => p.code === 'R_TAMPERED').map((p) => [p.file, p.line, p.col])).toEqual([[V2, 1, 1]]);
    expect(listed.problems.find((p) => p.code === 'R_TAMPERED')!.formatted).toMatch(/^rate-cards\/kling-consumer\/v2\.yaml:1:1: R_TAMPERED /);

    const refused = await quoteV2();
    expect(refused.status).toBe(409);
    expect((await errors(refused)).map((e) => [e.code, e.file])).toEqual([['R_TAMPERED', V2]]);

    const before = snapshot();
    const publishRefused = await publishReq(version);
    expect(publishRefused.status).toBe(409);
    expect((await errors(publishRefused)).map((e) => e.code)).toEqual(['R_TAMPERED']);
    expect(snapshot()).toEqual(before);

    const other = await api.quoteGet(await req('/api/quote?card=kling-api&model=kling-v3&mode=pro&duration=7&set=audio=native', { user: editor }));
    expect(other.status).toBe(200);

    // Put back as published: quoting and publishing work again.
    writeFileSync(file, original);
    expect((await quoteV2()).status).toBe(200);
    expect((await publishReq(version)).status).toBe(200);
  });
});

describe('start-up recovery (instrumentation.ts)', () => {
  it("removes the store lock and temp file a killed server left, and keeps a live process's lock", async () => {
    const { spawnSync } = await import('node:child_process');
    const { hostname } = await import('node:os');
    const { existsSync } = await import('node:fs');
    const { recoverStore } = await import('../lib/store.ts');
    const dead = Number(spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']).stdout.toString());
    writeFileSync(path.join(dir, '.store.lock'), `${dead}@${hostname()}`);
    const temp = `rate-cards/kling-consumer/.v2.yaml.${dead}.0123456789ab.tmp`;
    writeFileSync(path.join(dir, temp), 'half a file');
    const live = path.join(dir, 'plans', '.kling-plans.lock');
    writeFileSync(live, `${process.pid === 1 ? 2 : 1}@${hostname()}`);
    expect((await recoverStore()).sort()).toEqual(['.store.lock', temp]);
    expect(existsSync(path.join(dir, '.store.lock'))).toBe(false);
    expect(existsSync(live)).toBe(true);
    rmSync(live);
  });
});
