import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadStore, saveDraft } from '@creditbook/engine';
import { DirectoryStore } from '@creditbook/engine/node';

const engineDir = path.resolve(import.meta.dirname, '..');
const rulesDir = path.resolve(engineDir, '..', '..', 'rules');

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
    const child = spawn(process.execPath, ['--import', 'tsx', path.join('tests', 'support', 'save-loop.ts'), store], { cwd: engineDir, stdio: ['ignore', 'pipe', 'pipe'] });
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
        expect(f.path).toMatch(/^[a-z-]+\/([a-z0-9-]+\/v\d+|[a-z0-9-]+)\.yaml$/);
      }
      // Temp files a kill leaves behind are hidden (dot) files; nothing else is new except whole versions.
      for (const rel of after.keys()) {
        if (before.has(rel)) continue;
        expect(rel, 'a new file is a whole version or a hidden temp file').toMatch(/^rate-cards\/kling-consumer\/(v\d+\.yaml|\.v\d+\.yaml\.[0-9a-f]{12}\.tmp)$/);
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
      expect(r.status).toBe(409);
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
