import fs, { cpSync, mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { freshStamp, storeStamp } from '../lib/store.ts';

const ROOT = path.resolve(__dirname, '../../..');
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'creditbook-stamp-'));
  cpSync(path.join(ROOT, 'rules'), dir, { recursive: true });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => vi.restoreAllMocks());

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
    // One walk (the store's top folder looked at once) for the sixteen, and it saw the write.
    expect(stat.mock.calls.filter(([p]) => path.resolve(String(p)) === path.resolve(dir)).length).toBe(1);
    expect(new Set(stamps).size).toBe(1);
    expect(stamps[0]).not.toBe(before);
    // Asked again later, a new fingerprint (the same, nothing changed).
    expect(await freshStamp(dir)).toBe(stamps[0]);
  });
});
