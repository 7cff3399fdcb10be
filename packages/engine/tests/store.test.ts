import { mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DirectoryStore, safeJoin } from '@creditbook/engine/node';
import { MemoryStore } from '@creditbook/engine';

describe('rule stores', () => {
  it('create never overwrites, and leaves no temp files', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'cb-store-'));
    const store = new DirectoryStore(dir);
    expect(await store.create('cards/a/v1.yaml', 'one')).toBe('created');
    expect(await store.create('cards/a/v1.yaml', 'two')).toBe('exists');
    expect(readFileSync(path.join(dir, 'cards/a/v1.yaml'), 'utf8')).toBe('one');
    expect(readdirSync(path.join(dir, 'cards/a'))).toEqual(['v1.yaml']);
    expect((await store.list()).map((f) => f.path)).toEqual(['cards/a/v1.yaml']);
  });

  it('replace only when the file is what the caller last saw', async () => {
    const store = new DirectoryStore(mkdtempSync(path.join(tmpdir(), 'cb-store-')));
    await store.create('x.yaml', 'a');
    expect(await store.replace('x.yaml', 'stale', 'c')).toBe('changed');
    expect(await store.replace('x.yaml', 'a', 'b')).toBe('replaced');
    expect(await store.read('x.yaml')).toBe('b');
    const mem = new MemoryStore([{ path: 'x.yaml', text: 'a' }]);
    expect(await mem.replace('x.yaml', 'z', 'b')).toBe('changed');
    expect(await mem.create('x.yaml', 'b')).toBe('exists');
  });

  it('refuses paths that leave the store', () => {
    expect(() => safeJoin('/tmp/s', '../etc/passwd')).toThrow(/outside the store/);
    expect(() => safeJoin('/tmp/s', '/etc/passwd')).toThrow(/outside the store/);
    expect(() => safeJoin('/tmp/s', 'a/../../b')).toThrow(/outside the store/);
    expect(safeJoin('/tmp/s', 'cards/a.yaml')).toBe('/tmp/s/cards/a.yaml');
  });
});
