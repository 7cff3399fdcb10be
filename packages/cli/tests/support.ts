import { cpSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { main, type Io } from '@creditbook/cli';

export const repoRoot = path.resolve(import.meta.dirname, '..', '..', '..');

/** A copy of the bundled rules in a temporary folder, so tests can break files freely. */
export function tempRules(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'creditbook-cli-'));
  cpSync(path.join(repoRoot, 'rules'), path.join(dir, 'rules'), { recursive: true });
  return dir;
}

/** Runs the CLI in a folder and captures what it prints. */
export async function run(cwd: string, ...argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  const io: Io = { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s) }, cwd };
  const code = await main(argv, io);
  return { code, stdout, stderr };
}
