import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { freshStamp } from '../lib/store.ts';

const ROOT = path.resolve(__dirname, '../../..');
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'creditbook-stamp-'));
  cpSync(path.join(ROOT, 'rules'), dir, { recursive: true });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));
afterEach(() => vi.restoreAllMocks());

describe('the store fingerprint the app checks before each request', () => {
  it('sees a rule file written before the call, even while an earlier fingerprint is still being taken', async () => {
    const before = await freshStamp(dir);
    const earlier = freshStamp(dir); // in flight: it may or may not see the write below
    const file = path.join(dir, 'rate-cards/kling-consumer/v1.yaml');
    writeFileSync(file, '# an edit made while the earlier fingerprint was being taken\n', { flag: 'a' });
    const after = freshStamp(dir); // began after the write finished: must see it
    await earlier;
    expect(await after).not.toBe(before);
    // And with nothing changed since, the next fingerprint is the same one.
    expect(await freshStamp(dir)).toBe(await after);
  });

  it('walks the folder at most twice for a burst of requests arriving together', async () => {
    await freshStamp(dir);
    // Count the walks by the reads of the store's top folder.
    const readdir = vi.spyOn(fsp, 'readdir');
    const burst = await Promise.all(Array.from({ length: 16 }, () => freshStamp(dir)));
    const walks = readdir.mock.calls.filter(([p]) => path.resolve(String(p)) === path.resolve(dir)).length;
    // The first call starts a walk; the other 15 arrive while it runs and share the one after it.
    expect(walks).toBe(2);
    expect(new Set(burst).size).toBe(1);
  });

  it('a folder that cannot be read fails the call, and the next call tries again', async () => {
    const missing = path.join(dir, 'no-such-folder');
    await expect(freshStamp(missing)).rejects.toThrow(/ENOENT/);
    cpSync(path.join(dir, 'rate-cards'), missing, { recursive: true });
    expect(await freshStamp(missing)).toContain('kling-consumer');
  });
});
