import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadFiles, type RuleSet } from '@creditbook/engine';
import { DirectoryStore } from '@creditbook/engine/node';

export const repoRoot = path.resolve(import.meta.dirname, '..', '..', '..');

/**
 * A draft v3 of kling-consumer, from v2 with three cells changed:
 * kling-v2-1 std 5 s 20 -> 25, kling-v2-1 pro 10 s 70 -> 80, kling-v2-5-turbo pro 10 s 105 -> 100.
 */
export function consumerV3(v2: string, reach?: string): string {
  const out = v2
    .replace('version: 2', 'version: 3')
    .replace('effective_from: 2025-09-23', `effective_from: 2026-03-01${reach ? `\nreach: ${reach}` : ''}`)
    .replace('status: published', 'status: draft')
    .replace(/ {2}published_by: creditbook\n {2}published_at: .*\n/, '')
    .replace('based_on: 1', 'based_on: 2')
    .replace(/("5": )20( +# UNCERTAIN: "Kling 2.1 Standard)/, '$125$2')
    .replace(/("10": )70( +# SECONDARY-AGREE: "Kling 2.1 Pro")/, '$180$2')
    .replace(/("10": )105( +# CANONICAL)/, '$1100$2')
    .replace(/examples:[\s\S]*$/, 'examples:\n  - request: { model: kling-v2-5-turbo, mode: pro, duration_s: 10 }\n    credits: 100\n');
  if (out === v2) throw new Error('v3 fixture did not apply');
  return out;
}

/** The bundled rules plus the draft v3 of kling-consumer (with a reach, when given). */
export async function rulesWithV3(reach?: string): Promise<RuleSet> {
  const files = await new DirectoryStore(path.join(repoRoot, 'rules')).list();
  const v2 = files.find((f) => f.path === 'rate-cards/kling-consumer/v2.yaml')!;
  const result = await loadFiles([...files, { path: 'rate-cards/kling-consumer/v3.yaml', text: consumerV3(v2.text, reach) }]);
  if (result.errors.length > 0) throw new Error(result.errors.map((e) => `${e.file}:${e.line}: ${e.code} ${e.message}`).join('\n'));
  return result.rules;
}

/** A temporary folder. */
export function tempDir(): string {
  return mkdtempSync(path.join(tmpdir(), 'creditbook-usage-'));
}

/** Writes a file in a folder and returns its path. */
export function write(dir: string, name: string, text: string): string {
  const p = path.join(dir, name);
  writeFileSync(p, text);
  return p;
}
