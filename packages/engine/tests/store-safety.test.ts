import { spawn } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  contentHash,
  loadStore,
  MANIFEST_PATH,
  MemoryStore,
  parseManifest,
  publish,
  recordPublished,
  reviewDraft,
  saveDraft,
  submitForReview,
  writeManifest,
  type Kind,
  type RuleStore,
} from '@creditbook/engine';
import { DirectoryStore } from '@creditbook/engine/node';

/** Effective dates in tests lie in the future whatever today is (publishing refuses past dates). */
const NEXT_YEAR = new Date().getUTCFullYear() + 1;

const engineDir = path.resolve(import.meta.dirname, '..');
const rulesDir = path.resolve(engineDir, '..', '..', 'rules');

/** Submits a draft saved by 'editor' and has 'approver' approve it: only approved drafts publish. */
async function approve(store: RuleStore, kind: Kind, id: string, version: number): Promise<void> {
  const submitted = await submitForReview(store, { kind, id, version, by: 'editor', note: 'for review' });
  const approved = await reviewDraft(store, { kind, id, version, by: 'approver', decision: 'approve' });
  if (!submitted.ok || !approved.ok) throw new Error('review failed');
}

function tempStore(): string {
  const dir = path.join(mkdtempSync(path.join(tmpdir(), 'cb-safety-')), 'rules');
  cpSync(rulesDir, dir, { recursive: true });
  return dir;
}

/** Every file under a folder, by relative path, with its exact bytes. */
function snapshot(dir: string): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (const rel of readdirSync(dir, { recursive: true }) as string[]) {
    const full = path.join(dir, rel);
    try {
      out.set(rel.split(path.sep).join('/'), readFileSync(full));
    } catch {
      // a folder
    }
  }
  return out;
}

/** Runs the save loop in a child process and SIGKILLs it when it prints a line starting with `killAt`. */
function runUntilKilled(store: string, killAt: string): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join('tests', 'support', 'save-loop.ts'), store], {
      cwd: engineDir,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const lines: string[] = [];
    let buffered = '';
    let stderr = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      buffered += chunk;
      const parts = buffered.split('\n');
      buffered = parts.pop()!;
      for (const line of parts) {
        lines.push(line);
        if (line.startsWith(killAt)) child.kill('SIGKILL');
      }
    });
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      if (signal === 'SIGKILL') resolve(lines);
      else reject(new Error(`save loop exited by itself (${code}): ${stderr}\n${lines.join('\n')}`));
    });
  });
}

describe('the directory store under failure', () => {
  it('a saver killed at any point leaves a store that loads, with every earlier version byte-identical', async () => {
    const store = tempStore();
    // A temp file left by an earlier crash, half written: it must never be read as a document.
    writeFileSync(path.join(store, 'rate-cards', 'kling-consumer', '.v9.yaml.0123456789ab.tmp'), 'kind: RateCard\nid: kling-consu');
    let before = snapshot(store);
    // Kill while validating, while writing the file, right after a save, and again while writing.
    const killPoints = ['saving 1', 'writing', 'saved 1', 'saving 2', 'writing', 'saved 2'];
    const seen: string[][] = [];
    for (const killAt of killPoints) {
      seen.push(await runUntilKilled(store, killAt));
      const after = snapshot(store);
      for (const [rel, bytes] of before) expect(after.get(rel)?.equals(bytes), `${rel} unchanged after a kill at '${killAt}'`).toBe(true);
      const result = await loadStore(new DirectoryStore(store));
      expect(result.errors, `after a kill at '${killAt}'`).toEqual([]);
      for (const f of await new DirectoryStore(store).list()) {
        expect(f.path).not.toMatch(/(^|\/)\.|\.tmp$/);
        expect(f.path).toMatch(/^[a-z-]+\/(([a-z0-9-]+\/)?[a-z0-9-]+\/v\d+|[a-z0-9-]+)\.yaml$/);
      }
      // Temp files a kill leaves behind are hidden (dot) files; nothing else is new except whole versions.
      for (const rel of after.keys()) {
        if (before.has(rel)) continue;
        expect(rel, 'a new file is a whole version or a hidden temp file').toMatch(
          /^rate-cards\/kling-consumer\/(v\d+\.yaml|\.v\d+\.yaml\.\d+\.[0-9a-f]{12}\.tmp)$/,
        );
      }
      const versions = result.rules.versions('RateCard', 'kling-consumer').map((v) => v.doc.version);
      expect(new Set(versions).size).toBe(versions.length);
      before = after;
    }
    const versions = (await loadStore(new DirectoryStore(store))).rules.versions('RateCard', 'kling-consumer');
    // The loop made progress between kills: at least the saves it announced are there.
    const announced = seen.flat().filter((l) => l.startsWith('saved ')).length;
    expect(announced).toBeGreaterThanOrEqual(2);
    expect(versions.length).toBeGreaterThanOrEqual(2 + announced);
    expect(versions.map((v) => v.doc.version)).toEqual(versions.map((_, i) => i + 1));
  });

  it('20 parallel saves on the same base: exactly one wins, 19 get 409, no version number used twice', async () => {
    const dir = tempStore();
    const store = new DirectoryStore(dir);
    const { rules } = await loadStore(store);
    const base = rules.versions('RateCard', 'kling-consumer').at(-1)!;
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        saveDraft(store, { text: base.source.text.replace(/^title: .*$/m, `title: writer ${i}`), baseVersion: base.doc.version, author: `writer-${i}` }),
      ),
    );
    const won = results.filter((r) => r.ok);
    expect(won).toHaveLength(1);
    const lost = results.filter((r) => !r.ok);
    expect(lost).toHaveLength(19);
    for (const r of lost) {
      expect(r.reason).toBe('conflict');
      expect(r.errors.map((e) => e.code)).toEqual(['T_CONFLICT']);
    }
    const after = await loadStore(store);
    expect(after.errors).toEqual([]);
    const versions = after.rules.versions('RateCard', 'kling-consumer');
    expect(versions.map((v) => v.doc.version)).toEqual([...Array(base.doc.version + 1).keys()].map((i) => i + 1));
    const winner = won[0]!;
    expect(winner.ok && readFileSync(path.join(dir, winner.path), 'utf8')).toBe(winner.ok && winner.text);
    expect(readdirSync(path.join(dir, 'rate-cards', 'kling-consumer')).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });
});

describe('compare-and-replace', () => {
  it('20 parallel replaces from the same expected text: exactly one replaces', async () => {
    const store = new DirectoryStore(mkdtempSync(path.join(tmpdir(), 'cb-cas-')));
    await store.create('x.yaml', 'a');
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => store.replace('x.yaml', 'a', `b${i}`)));
    expect(results.filter((r) => r === 'replaced')).toHaveLength(1);
    const winner = results.indexOf('replaced');
    expect(await store.read('x.yaml')).toBe(`b${winner}`);
    expect(readdirSync(store.root)).toEqual(['x.yaml']);
  });

  it('a lock left by a crashed process is broken once stale', async () => {
    const store = new DirectoryStore(mkdtempSync(path.join(tmpdir(), 'cb-cas-')));
    await store.create('x.yaml', 'a');
    const lock = path.join(store.root, '.x.yaml.lock');
    writeFileSync(lock, '');
    const hourAgo = new Date(Date.UTC(2020, 0, 1));
    utimesSync(lock, hourAgo, hourAgo);
    expect(await store.replace('x.yaml', 'a', 'b')).toBe('replaced');
    expect(existsSync(lock)).toBe(false);
  });
});

describe('tamper evidence: the manifest of published content hashes', () => {
  const consumer = 'rate-cards/kling-consumer/v2.yaml';
  const tampered = async (dir: string) =>
    (await loadStore(new DirectoryStore(dir))).errors.map((e) => ({ code: e.code, file: e.file, line: e.line, col: e.col, message: e.message }));

  it('the bundled rules match the committed manifest, which lists every published file', async () => {
    const store = new DirectoryStore(rulesDir);
    const result = await loadStore(store);
    expect(result.errors).toEqual([]);
    const manifest = parseManifest((await store.read(MANIFEST_PATH))!)!;
    const published = result.rules.documents
      .filter((d) => d.doc.status === 'published')
      .map((d) => d.source.file)
      .sort();
    expect(Object.keys(manifest.published).sort()).toEqual(published);
    // JSON is never loaded as a rule document.
    expect((await store.list()).map((f) => f.path)).not.toContain(MANIFEST_PATH);
  });

  it('a changed price in a published file is R_TAMPERED at 1:1 of that file', async () => {
    const dir = tempStore();
    const file = path.join(dir, consumer);
    const text = readFileSync(file, 'utf8');
    const changed = text.replace(/: 35\b/, ': 30');
    expect(changed).not.toBe(text);
    writeFileSync(file, changed);
    const errors = await tampered(dir);
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ code: 'R_TAMPERED', file: consumer, line: 1, col: 1 });
  });

  it('even an invisible change (one trailing space) is caught', async () => {
    const dir = tempStore();
    writeFileSync(path.join(dir, 'plans/kling-plans/v1.yaml'), readFileSync(path.join(dir, 'plans/kling-plans/v1.yaml'), 'utf8') + ' ');
    expect(await tampered(dir)).toEqual([expect.objectContaining({ code: 'R_TAMPERED', file: 'plans/kling-plans/v1.yaml', line: 1, col: 1 })]);
  });

  it('a published file missing from the manifest, and a listed file that is gone, are both reported', async () => {
    const dir = tempStore();
    const manifest = parseManifest(readFileSync(path.join(dir, MANIFEST_PATH), 'utf8'))!;
    const { [consumer]: _dropped, ...rest } = manifest.published;
    writeFileSync(path.join(dir, MANIFEST_PATH), JSON.stringify({ version: 1, published: rest }, null, 2));
    rmSync(path.join(dir, 'validity/monthly-expiry/v1.yaml'));
    // (The scenarios that use the deleted policy report that too; only the tamper evidence matters here.)
    const errors = (await tampered(dir)).filter((e) => e.code === 'R_TAMPERED');
    const text = readFileSync(path.join(dir, MANIFEST_PATH), 'utf8');
    const line = text.split('\n').findIndex((l) => l.includes('"validity/monthly-expiry/v1.yaml"')) + 1;
    expect(errors).toEqual([
      expect.objectContaining({ code: 'R_TAMPERED', file: MANIFEST_PATH, line, col: 5, message: expect.stringContaining('missing') }),
      expect.objectContaining({ code: 'R_TAMPERED', file: consumer, line: 1, col: 1, message: expect.stringContaining('not in manifest.json') }),
    ]);
  });

  it('turning a published version back into a draft is caught (it would silently change the price in force)', async () => {
    const dir = tempStore();
    const file = path.join(dir, consumer);
    writeFileSync(file, readFileSync(file, 'utf8').replace(/^status: published$/m, 'status: draft'));
    expect((await tampered(dir)).map((e) => [e.code, e.file])).toEqual([['R_TAMPERED', consumer]]);
  });

  it('a manifest that is not JSON is R_TAMPERED at 1:1 of the manifest', async () => {
    const dir = tempStore();
    writeFileSync(path.join(dir, MANIFEST_PATH), '{ "version": 1, "published": ');
    expect(await tampered(dir)).toEqual([expect.objectContaining({ code: 'R_TAMPERED', file: MANIFEST_PATH, line: 1, col: 1 })]);
  });

  it('publish records the new version in the manifest atomically, and the store stays clean', async () => {
    const dir = tempStore();
    const store = new DirectoryStore(dir);
    const base = (await loadStore(store)).rules.versions('RateCard', 'kling-consumer').at(-1)!;
    const saved = await saveDraft(store, { text: base.source.text, baseVersion: base.doc.version, author: 'editor' });
    expect(saved.ok).toBe(true);
    // A draft is not in the manifest and needs not be.
    expect(await tampered(dir)).toEqual([]);
    await approve(store, 'RateCard', 'kling-consumer', base.doc.version + 1);
    const published = await publish(store, {
      kind: 'RateCard',
      id: 'kling-consumer',
      version: base.doc.version + 1,
      effectiveFrom: `${NEXT_YEAR}-01-01`,
      author: 'lead',
      now: '2026-12-01T00:00:00Z',
    });
    expect(published.ok).toBe(true);
    if (!published.ok) return;
    const manifest = parseManifest(readFileSync(path.join(dir, MANIFEST_PATH), 'utf8'))!;
    expect(manifest.published[published.path]).toBe(await contentHash(readFileSync(path.join(dir, published.path), 'utf8')));
    expect(await tampered(dir)).toEqual([]);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('a crash between recording and replacing leaves evidence; publishing again heals it', async () => {
    const store = new MemoryStore((await new DirectoryStore(tempStore()).list()).concat());
    expect((await writeManifest(store)).ok).toBe(true);
    const base = (await loadStore(store)).rules.versions('RateCard', 'kling-consumer').at(-1)!;
    const saved = await saveDraft(store, { text: base.source.text, baseVersion: base.doc.version, author: 'editor' });
    if (!saved.ok) throw new Error('save failed');
    await approve(store, 'RateCard', 'kling-consumer', saved.version);
    // The publish that "crashed": its manifest entry is written, the file is still the draft.
    expect(await recordPublished(store, saved.path, saved.text.replace('status: draft', 'status: published'))).toEqual([]);
    const crashed = await loadStore(store);
    expect(crashed.errors.map((e) => [e.code, e.file, e.line, e.col])).toEqual([['R_TAMPERED', saved.path, 1, 1]]);
    const again = await publish(store, { kind: 'RateCard', id: 'kling-consumer', version: saved.version, effectiveFrom: `${NEXT_YEAR}-01-01`, author: 'lead' });
    expect(again.ok).toBe(true);
    expect((await loadStore(store)).errors).toEqual([]);
  });

  it('the first publish in a store without a manifest creates one listing every published file', async () => {
    const dir = tempStore();
    rmSync(path.join(dir, MANIFEST_PATH));
    const store = new DirectoryStore(dir);
    expect(await tampered(dir)).toEqual([]);
    const before = (await loadStore(store)).rules;
    const publishedBefore = before.documents.filter((d) => d.doc.status === 'published').length;
    const base = before.versions('ValidityPolicy', 'monthly-expiry').at(-1)!;
    const saved = await saveDraft(store, { text: base.source.text, baseVersion: base.doc.version, author: 'editor' });
    expect(saved.ok).toBe(true);
    await approve(store, 'ValidityPolicy', 'monthly-expiry', base.doc.version + 1);
    const published = await publish(store, {
      kind: 'ValidityPolicy',
      id: 'monthly-expiry',
      version: base.doc.version + 1,
      effectiveFrom: `${NEXT_YEAR}-01-01`,
      author: 'lead',
    });
    expect(published.ok).toBe(true);
    expect(existsSync(path.join(dir, MANIFEST_PATH))).toBe(true);
    expect(Object.keys(parseManifest(readFileSync(path.join(dir, MANIFEST_PATH), 'utf8'))!.published)).toHaveLength(publishedBefore + 1);
    expect(await tampered(dir)).toEqual([]);
  });

  it('20 publishes of the same draft at once: exactly one wins, the rest get 409', async () => {
    const dir = tempStore();
    const store = new DirectoryStore(dir);
    const base = (await loadStore(store)).rules.versions('RateCard', 'kling-consumer').at(-1)!;
    const saved = await saveDraft(store, { text: base.source.text, baseVersion: base.doc.version, author: 'editor' });
    if (!saved.ok) throw new Error('save failed');
    await approve(store, 'RateCard', 'kling-consumer', saved.version);
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        publish(store, {
          kind: 'RateCard',
          id: 'kling-consumer',
          version: saved.version,
          effectiveFrom: `${NEXT_YEAR}-01-${String(i + 1).padStart(2, '0')}`,
          author: `lead-${i}`,
        }),
      ),
    );
    const won = results.filter((r) => r.ok);
    expect(won).toHaveLength(1);
    for (const r of results.filter((r) => !r.ok)) expect(r.reason).toBe('conflict');
    // The file holds the winner's text, and the manifest its hash.
    const winner = won[0]!;
    if (!winner.ok) return;
    expect(readFileSync(path.join(dir, winner.path), 'utf8')).toBe(winner.text);
    expect(await tampered(dir)).toEqual([]);
  });

  it('two publishes at once both land in the manifest (compare-and-swap, retried)', async () => {
    const dir = tempStore();
    const store = new DirectoryStore(dir);
    const loaded = (await loadStore(store)).rules;
    const publishedBefore = loaded.documents.filter((d) => d.doc.status === 'published').length;
    const drafts = [];
    for (const [kind, id] of [
      ['ValidityPolicy', 'monthly-expiry'],
      ['PlanCatalog', 'kling-plans'],
    ] as const) {
      const base = loaded.versions(kind, id).at(-1)!;
      const saved = await saveDraft(store, { text: base.source.text, baseVersion: base.doc.version, author: 'editor' });
      if (!saved.ok) throw new Error(saved.errors.map((e) => e.message).join());
      await approve(store, kind, id, saved.version);
      drafts.push({ kind, id, version: saved.version });
    }
    const results = await Promise.all(drafts.map((d) => publish(store, { ...d, effectiveFrom: `${NEXT_YEAR}-01-01`, author: 'lead' })));
    expect(results.map((r) => r.ok)).toEqual([true, true]);
    expect(await tampered(dir)).toEqual([]);
    expect(Object.keys(parseManifest(readFileSync(path.join(dir, MANIFEST_PATH), 'utf8'))!.published)).toHaveLength(publishedBefore + 2);
  });

  it('writeManifest refuses a store with problems rather than bless them', async () => {
    const dir = tempStore();
    writeFileSync(path.join(dir, consumer), 'kind: RateCard\nid: [');
    const written = await writeManifest(new DirectoryStore(dir));
    expect(written.ok).toBe(false);
  });
});
