import fs, { cpSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { spawnSync } from 'node:child_process';
import { freshStamp, REWALK_MS, storeStamp } from '../lib/store.ts';

const ROOT = path.resolve(__dirname, '../../..');
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'creditbook-stamp-'));
  cpSync(path.join(ROOT, 'rules'), dir, { recursive: true });
});
const copies: string[] = [];
afterAll(() => {
  for (const d of [dir, ...copies]) rmSync(d, { recursive: true, force: true });
});
afterEach(() => {
  vi.restoreAllMocks();
  vi.useRealTimers();
});

/** A store of its own (the bundled rules), so that its watches start from nothing. */
function freshCopy(): string {
  const d = mkdtempSync(path.join(os.tmpdir(), 'creditbook-watch-'));
  cpSync(path.join(ROOT, 'rules'), d, { recursive: true });
  copies.push(d);
  return d;
}

/**
 * A store of its own, walked twice (the first walk sets up the watches, the second sees what they
 * may have missed meanwhile), with the clock held so that no walk falls due while the test runs.
 */
async function watchedCopy(): Promise<{ root: string; stamp: string }> {
  vi.useFakeTimers({ toFake: ['Date'] });
  const root = freshCopy();
  await freshStamp(root);
  return { root, stamp: await freshStamp(root) };
}

/** The paths `statSync` is asked for while `f` runs, relative to `root`. */
async function statted(root: string, f: () => Promise<unknown>): Promise<string[]> {
  const stat = vi.spyOn(fs, 'statSync');
  await f();
  const out = stat.mock.calls.map(([p]) => path.relative(root, String(p)));
  stat.mockRestore();
  return out;
}

/** The folders `storeStamp` lists (reads the entries of) while it runs `f`. */
function listed(f: () => void): string[] {
  const readdir = vi.spyOn(fs, 'readdirSync');
  f();
  const out = readdir.mock.calls.map(([p]) => path.relative(dir, String(p)));
  readdir.mockRestore();
  return out;
}

describe('the store fingerprint the app checks before each request', () => {
  it('sees a rule file edited in place, and is the same again while nothing changes', () => {
    const before = storeStamp(dir);
    expect(storeStamp(dir)).toBe(before);
    writeFileSync(path.join(dir, 'rate-cards/kling-consumer/v1.yaml'), '# an edit in place\n', { flag: 'a' });
    const after = storeStamp(dir);
    expect(after).not.toBe(before);
    expect(storeStamp(dir)).toBe(after);
  });

  it('lists a folder again only when the folder changed: a file renamed into it (an atomic write) is seen', () => {
    storeStamp(dir);
    // Nothing changed: no folder is listed, only looked at.
    expect(listed(() => storeStamp(dir))).toEqual([]);
    const folder = path.join(dir, 'rate-cards/kling-consumer');
    const before = storeStamp(dir);
    writeFileSync(path.join(folder, '.v9.yaml.tmp'), 'kind: RateCard\n');
    renameSync(path.join(folder, '.v9.yaml.tmp'), path.join(folder, 'v9.yaml'));
    let after = '';
    // The one folder whose entries changed is listed again; the new file is in the fingerprint.
    expect(listed(() => (after = storeStamp(dir)))).toEqual(['rate-cards/kling-consumer']);
    expect(after).not.toBe(before);
    expect(after).toContain(path.join(folder, 'v9.yaml'));
    rmSync(path.join(folder, 'v9.yaml'));
    expect(storeStamp(dir)).not.toContain(path.join(folder, 'v9.yaml'));
  });

  it('a folder that cannot be read fails the call, and the next call tries again', async () => {
    const missing = path.join(dir, 'no-such-folder');
    expect(() => storeStamp(missing)).toThrow(/ENOENT/);
    await expect(freshStamp(missing)).rejects.toThrow(/ENOENT/);
    cpSync(path.join(dir, 'rate-cards'), missing, { recursive: true });
    expect(storeStamp(missing)).toContain('kling-consumer');
    expect(await freshStamp(missing)).toContain('kling-consumer');
  });

  it('requests arriving together share one fingerprint, taken after the last of them arrived', async () => {
    const before = await freshStamp(dir);
    const stat = vi.spyOn(fs, 'statSync');
    const earlier = freshStamp(dir); // asked before the write below, in the same turn
    writeFileSync(path.join(dir, 'plans/kling-plans/v1.yaml'), '# an edit between two requests of one burst\n', { flag: 'a' });
    const burst = [earlier, ...Array.from({ length: 15 }, () => freshStamp(dir))];
    const stamps = await Promise.all(burst);
    // One walk (each rule file looked at once) for the sixteen, and it saw the write.
    const card = path.join(dir, 'rate-cards/kling-consumer/v1.yaml');
    expect(stat.mock.calls.filter(([p]) => path.resolve(String(p)) === card).length).toBe(1);
    expect(new Set(stamps).size).toBe(1);
    expect(stamps[0]).not.toBe(before);
    // Asked again later, a new fingerprint (the same, nothing changed).
    expect(await freshStamp(dir)).toBe(stamps[0]);
  });
});

describe('the folder watches that spare the walk while nothing changed', () => {
  it('a quiet store costs one look at its top folder, and an edit in place is seen by the next call', async () => {
    const { root, stamp: first } = await watchedCopy();
    let quiet = '';
    expect(await statted(root, async () => (quiet = await freshStamp(root)))).toEqual(['']);
    expect(quiet).toBe(first);
    writeFileSync(path.join(root, 'rate-cards/kling-consumer/v1.yaml'), '# an edit in place\n', { flag: 'a' });
    const edited = await freshStamp(root);
    expect(edited).not.toBe(first);
    // Quiet again after that one walk.
    expect(await statted(root, () => freshStamp(root))).toEqual(['']);
    expect(await freshStamp(root)).toBe(edited);
  });

  it('sees what another process wrote before the call, and a folder created after the watches were set up', async () => {
    const { root, stamp: before } = await watchedCopy();
    const file = path.join(root, 'plans/kling-plans/v1.yaml');
    const wrote = spawnSync(process.execPath, ['-e', `require('node:fs').appendFileSync(${JSON.stringify(file)}, '# written by another process\\n')`]);
    expect(wrote.status).toBe(0);
    const after = await freshStamp(root);
    expect(after).not.toBe(before);
    // A new folder with a file renamed into it (as the store writes).
    const folder = path.join(root, 'rate-cards/kling-later');
    fs.mkdirSync(folder);
    writeFileSync(path.join(folder, '.v1.yaml.tmp'), 'kind: RateCard\n');
    renameSync(path.join(folder, '.v1.yaml.tmp'), path.join(folder, 'v1.yaml'));
    const added = await freshStamp(root);
    expect(added).toContain(path.join(folder, 'v1.yaml'));
    await freshStamp(root); // the new folder's watch is on from here
    // An edit in place inside the new folder is reported by its own watch.
    writeFileSync(path.join(folder, 'v1.yaml'), 'kind: RateCard\nid: kling-later\n');
    const edited = await freshStamp(root);
    expect(edited).not.toBe(added);
    expect(await statted(root, () => freshStamp(root))).toEqual(['']);
  });

  it('sees a write made just before the call in the same turn, even from an I/O callback (the event loop polls in between)', async () => {
    const { root, stamp: before } = await watchedCopy();
    const file = path.join(root, 'rate-cards/kling-consumer/v1.yaml');
    // In the poll phase (a file read's callback), as a request's own handler would run.
    const after = await new Promise<string>((resolve, reject) =>
      fs.readFile(file, () => {
        writeFileSync(file, '# written in an I/O callback\n', { flag: 'a' });
        freshStamp(root).then(resolve, reject);
      }),
    );
    expect(after).not.toBe(before);
  });

  it('walks again once the last walk is older than REWALK_MS, however quiet the watches are', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(new Date('2026-12-01T00:00:00Z'));
    const root = freshCopy();
    await freshStamp(root);
    await freshStamp(root);
    expect(await statted(root, () => freshStamp(root))).toEqual(['']);
    vi.setSystemTime(new Date(Date.parse('2026-12-01T00:00:00Z') + REWALK_MS));
    const looked = await statted(root, () => freshStamp(root));
    // The walk: the top folder, then every rule file in it (the bundled store has dozens).
    expect(looked.filter((p) => p === '').length).toBe(2);
    expect(looked).toContain('rate-cards/kling-consumer/v1.yaml');
  });

  it('where no watch can be had, every call walks, and still sees every change', async () => {
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.spyOn(fs, 'watch').mockImplementation(() => {
      throw Object.assign(new Error('ENOSPC: System limit for number of file watchers reached'), { code: 'ENOSPC' });
    });
    const root = freshCopy();
    const first = await freshStamp(root);
    for (let i = 0; i < 2; i++) expect((await statted(root, () => freshStamp(root))).length).toBeGreaterThan(20);
    writeFileSync(path.join(root, 'rate-cards/kling-consumer/v1.yaml'), '# an edit in place\n', { flag: 'a' });
    expect(await freshStamp(root)).not.toBe(first);
  });
});
