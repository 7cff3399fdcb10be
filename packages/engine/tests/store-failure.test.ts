import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadStore, MANIFEST_PATH, parseManifest, publish, reviewDraft, saveDraft, submitForReview } from '@creditbook/engine';
import { DirectoryStore, ioDiagnostic, type DiskOps } from '@creditbook/engine/node';

/** Effective dates in tests lie in the future whatever today is (publishing refuses past dates). */
const NEXT_YEAR = new Date().getUTCFullYear() + 1;
const rulesDir = path.resolve(import.meta.dirname, '..', '..', '..', 'rules');

function tempStore(): string {
  const dir = path.join(mkdtempSync(path.join(tmpdir(), 'cb-failure-')), 'rules');
  cpSync(rulesDir, dir, { recursive: true });
  return dir;
}

/** Every file under a folder (hidden ones included: temp files and locks), with its bytes. */
function snapshot(dir: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const rel of readdirSync(dir, { recursive: true }) as string[]) {
    try {
      out.set(rel.split(path.sep).join('/'), readFileSync(path.join(dir, rel), 'utf8'));
    } catch {
      // a folder
    }
  }
  return out;
}

const errno = (code: string) => Object.assign(new Error(`${code}: injected`), { code });

/** Disk operations that count every call and fail the n-th one (0: never) with the errno code. */
function failingDisk(n: number, code = 'ENOSPC'): { disk: Partial<DiskOps>; calls: string[] } {
  const calls: string[] = [];
  const real = new DirectoryStore('/nonexistent') as unknown as { disk: DiskOps };
  const step =
    <A extends unknown[]>(name: keyof DiskOps, f: (...a: A) => Promise<void>) =>
    async (...a: A) => {
      calls.push(name);
      if (calls.length === n) throw errno(code);
      return f(...a);
    };
  return {
    calls,
    disk: {
      writeNew: step('writeNew', real.disk.writeNew),
      rename: step('rename', real.disk.rename),
      link: step('link', real.disk.link),
    },
  };
}

/** A store with an approved draft of kling-consumer, ready to publish. */
async function approvedDraft(): Promise<{ dir: string; version: number }> {
  const dir = tempStore();
  const store = new DirectoryStore(dir);
  const base = (await loadStore(store)).rules.versions('RateCard', 'kling-consumer').at(-1)!;
  const saved = await saveDraft(store, { text: base.source.text.replace('note:', 'note: failing disk,'), baseVersion: base.doc.version, author: 'editor' });
  if (!saved.ok) throw new Error('save failed');
  const step = { kind: 'RateCard' as const, id: 'kling-consumer', version: saved.version };
  if (!(await submitForReview(store, { ...step, by: 'editor', note: 'for review' })).ok) throw new Error('submit failed');
  if (!(await reviewDraft(store, { ...step, by: 'approver', decision: 'approve' })).ok) throw new Error('approve failed');
  return { dir, version: saved.version };
}

const publishIn = (store: DirectoryStore, version: number) =>
  publish(store, { kind: 'RateCard', id: 'kling-consumer', version, effectiveFrom: `${NEXT_YEAR}-01-01`, author: 'lead' });

describe('publish on a failing disk is all or nothing', () => {
  it('a failure injected at every write, link and rename of a publish leaves the store byte-identical, clean, and publishable', async () => {
    // A successful publish, counted: two temp files (manifest, card), one backup link of each, two renames.
    const counted = await approvedDraft();
    const counting = failingDisk(0);
    expect((await publishIn(new DirectoryStore(counted.dir, { disk: counting.disk }), counted.version)).ok).toBe(true);
    expect(counting.calls).toEqual(['writeNew', 'writeNew', 'link', 'link', 'rename', 'rename']);
    expect((await loadStore(new DirectoryStore(counted.dir))).errors).toEqual([]);

    for (let n = 1; n <= counting.calls.length; n++) {
      const { dir, version } = await approvedDraft();
      const before = snapshot(dir);
      const failing = failingDisk(n);
      const store = new DirectoryStore(dir, { disk: failing.disk });
      const thrown = await publishIn(store, version).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(ioDiagnostic(thrown, dir)?.code, `step ${n} (${failing.calls[n - 1]})`).toBe('E_DISK_FULL');
      // Nothing changed, no temp file or lock is left, and the store is not read as tampered.
      expect(snapshot(dir), `step ${n}`).toEqual(before);
      expect((await loadStore(new DirectoryStore(dir))).errors, `step ${n}`).toEqual([]);
      // Once the disk has room again, the same publish goes through.
      expect((await publishIn(new DirectoryStore(dir), version)).ok, `step ${n}`).toBe(true);
      expect((await loadStore(new DirectoryStore(dir))).errors).toEqual([]);
    }
  });

  it('a read-only store refuses a save with E_STORE_READ_ONLY and leaves no temp file', async () => {
    const dir = tempStore();
    const before = snapshot(dir);
    const store = new DirectoryStore(dir, { disk: failingDisk(1, 'EROFS').disk });
    const base = (await loadStore(store)).rules.versions('RateCard', 'kling-consumer').at(-1)!;
    const thrown = await saveDraft(store, { text: base.source.text, baseVersion: base.doc.version, author: 'editor' }).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(ioDiagnostic(thrown, dir)).toMatchObject({ code: 'E_STORE_READ_ONLY', file: '' });
    expect(ioDiagnostic(thrown, dir)!.message).not.toContain(dir);
    expect(snapshot(dir)).toEqual(before);
  });

  it('ioDiagnostic: full, read-only, other errno, a lock timeout, and not an I/O error', () => {
    expect(ioDiagnostic(errno('EDQUOT'))?.code).toBe('E_DISK_FULL');
    expect(ioDiagnostic(errno('EACCES'))?.code).toBe('E_STORE_READ_ONLY');
    expect(ioDiagnostic(errno('EIO'))?.code).toBe('T_IO');
    expect(ioDiagnostic(new Error('T_IO store is locked'))?.code).toBe('T_IO');
    expect(ioDiagnostic(new TypeError('x is undefined'))).toBeUndefined();
    expect(ioDiagnostic(Object.assign(new TypeError('bad argument'), { code: 'ERR_INVALID_ARG_TYPE' }))).toBeUndefined();
  });
});

describe('what a crash leaves behind', () => {
  /** The pid of a process that has exited. */
  const deadPid = (): number => {
    const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))']);
    return Number(r.stdout.toString());
  };

  it("a fresh lock of a killed process is broken at once, and a live process's lock is kept", async () => {
    const { dir, version } = await approvedDraft();
    const store = new DirectoryStore(dir);
    const dead = path.join(dir, '.store.lock');
    writeFileSync(dead, `${deadPid()}@${hostname()}`);
    const live = path.join(dir, 'rate-cards', '.other.yaml.lock');
    writeFileSync(live, `${process.ppid}@${hostname()}`);
    const orphan = path.join(dir, 'rate-cards', 'kling-consumer', `.v9.yaml.${deadPid()}.0123456789ab.tmp`);
    writeFileSync(orphan, 'half a file');
    // Start-up recovery removes the dead process's lock and temp file, not the live one's lock.
    expect((await store.recover()).sort()).toEqual(['.store.lock', 'rate-cards/kling-consumer/.v9.yaml.' + orphan.split('.v9.yaml.')[1]]);
    expect(existsSync(live)).toBe(true);
    // Without recovery too: publishing breaks a dead owner's store lock at once (not after 60 s).
    writeFileSync(dead, `${deadPid()}@${hostname()}`);
    const result = await publishIn(store, version);
    expect(result.ok).toBe(true);
    expect(existsSync(dead)).toBe(false);
    expect(parseManifest(readFileSync(path.join(dir, MANIFEST_PATH), 'utf8'))!.published).toHaveProperty(result.ok ? result.path : '');
  });
});

describe('nothing is published from a tampered document', () => {
  it('a hand-edited published version of the card refuses the publish of its next version (R_TAMPERED, nothing written)', async () => {
    const { dir, version } = await approvedDraft();
    const v2 = path.join(dir, 'rate-cards/kling-consumer/v2.yaml');
    writeFileSync(v2, readFileSync(v2, 'utf8').replace(/: 35\b/, ': 30'));
    const before = snapshot(dir);
    const result = await publishIn(new DirectoryStore(dir), version);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.reason).toBe('conflict');
    expect(result.errors.map((e) => [e.code, e.file, e.line, e.col])).toEqual([['R_TAMPERED', 'rate-cards/kling-consumer/v2.yaml', 1, 1]]);
    expect(snapshot(dir)).toEqual(before);
  });
});
