import { promises as fs } from 'node:fs';
import path from 'node:path';
import {
  checkScenarioRuns,
  formatDiagnostic,
  loadFiles,
  type Diagnostic,
  type LoadResult,
  type LoadedDocument,
  type Scenario,
  type StoredFile,
} from '@creditbook/engine';
import { DirectoryStore } from '@creditbook/engine/node';
import { InputError, UsageError } from './io.ts';

/** Reads files and directories given on the command line; file names stay as the user wrote them. */
export async function readPaths(cwd: string, paths: readonly string[]): Promise<StoredFile[]> {
  const out = new Map<string, StoredFile>();
  for (const p of paths) {
    const full = path.resolve(cwd, p);
    let stat;
    try {
      stat = await fs.stat(full);
    } catch {
      throw new UsageError(`no such file or directory: ${p}`);
    }
    if (stat.isDirectory()) {
      for (const f of await new DirectoryStore(full).list()) {
        const shown = path.join(p, f.path).split(path.sep).join('/');
        out.set(path.resolve(full, f.path), { path: shown, text: f.text });
      }
    } else {
      out.set(full, { path: p, text: await fs.readFile(full, 'utf8') });
    }
  }
  return [...out.values()];
}

/** Loads the rule store plus extra files; every error is collected. */
export async function loadRules(cwd: string, rulesDir: string, extra: readonly string[] = []): Promise<LoadResult> {
  return loadFiles(await readPaths(cwd, [rulesDir, ...extra]));
}

/** Throws an InputError listing every problem, when there are any. */
export function failOn(errors: readonly Diagnostic[]): void {
  if (errors.length > 0) throw new InputError(errors.map(formatDiagnostic).join('\n'));
}

/** Loads the rules and the scenario file; the scenario's own problems stop the command. */
export async function loadScenario(cwd: string, rulesDir: string, file: string): Promise<{ result: LoadResult; scenario: LoadedDocument<Scenario> }> {
  const result = await loadRules(cwd, rulesDir, [file]);
  const target = path.resolve(cwd, file);
  // Any problem in the store stops the command: a forecast on a broken card would mislead.
  failOn(result.errors);
  const scenario = result.rules.documents.find((d) => d.doc.kind === 'Scenario' && path.resolve(cwd, d.source.file) === target) as LoadedDocument<Scenario> | undefined;
  if (!scenario) {
    const other = result.rules.documents.find((d) => path.resolve(cwd, d.source.file) === target);
    throw new InputError(`${file}:1:1: C_UNKNOWN_REFERENCE scenario refers to something that does not exist: ${other ? `${other.doc.kind} is not a Scenario` : 'no scenario in this file'}`);
  }
  const runProblems = await checkScenarioRuns(result.rules, (d) => d === scenario);
  failOn(runProblems);
  return { result, scenario };
}
