import { promises as fs } from 'node:fs';
import path from 'node:path';
import {
  checkManifest,
  checkScenarioRuns,
  MANIFEST_PATH,
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

/** R_TAMPERED problems: published files of every store directory given, checked against its manifest.json. */
export async function checkManifests(
  cwd: string,
  paths: readonly string[],
  files: readonly StoredFile[],
  documents: readonly LoadedDocument[],
): Promise<Diagnostic[]> {
  const out: Diagnostic[] = [];
  for (const p of paths) {
    const full = path.resolve(cwd, p);
    let text: string;
    try {
      if (!(await fs.stat(full)).isDirectory()) continue;
      text = await fs.readFile(path.join(full, MANIFEST_PATH), 'utf8');
    } catch {
      continue;
    }
    const prefix = path.join(p, 'x').split(path.sep).join('/').slice(0, -1);
    out.push(...(await checkManifest(files, documents, { text, file: prefix + MANIFEST_PATH, prefix })));
  }
  return out;
}

/** Loads the rule store plus extra files; every error is collected, a tampered published file included. */
export async function loadRules(cwd: string, rulesDir: string, extra: readonly string[] = []): Promise<LoadResult> {
  const files = await readPaths(cwd, [rulesDir, ...extra]);
  const result = await loadFiles(files);
  const tampered = await checkManifests(cwd, [rulesDir], files, result.rules.documents);
  return tampered.length === 0 ? result : { ...result, errors: [...result.errors, ...tampered] };
}

/** Throws an InputError listing every problem, when there are any. */
export function failOn(errors: readonly Diagnostic[]): void {
  if (errors.length > 0) throw new InputError(errors.map(formatDiagnostic).join('\n'));
}

/** Loads the rules and the scenario file; errors in the runs asked for (all when `runs` is omitted) stop the command, warnings are printed. */
export async function loadScenario(
  cwd: string,
  rulesDir: string,
  file: string,
  runs?: readonly string[],
  stderr?: { write(s: string): unknown },
): Promise<{ result: LoadResult; scenario: LoadedDocument<Scenario> }> {
  const result = await loadRules(cwd, rulesDir, [file]);
  const target = path.resolve(cwd, file);
  // Any problem in the store stops the command: a forecast on a broken card would mislead.
  failOn(result.errors);
  const scenario = result.rules.documents.find((d) => d.doc.kind === 'Scenario' && path.resolve(cwd, d.source.file) === target) as
    LoadedDocument<Scenario> | undefined;
  if (!scenario) {
    const other = result.rules.documents.find((d) => path.resolve(cwd, d.source.file) === target);
    throw new InputError(
      `${file}:1:1: C_UNKNOWN_REFERENCE scenario refers to something that does not exist: ${other ? `${other.doc.kind} is not a Scenario` : 'no scenario in this file'}`,
    );
  }
  const runProblems = await checkScenarioRuns(result.rules, (d) => d === scenario, runs);
  failOn(runProblems.filter((d) => d.severity === 'error'));
  for (const d of runProblems) if (d.severity === 'warning') stderr?.write(formatDiagnostic(d) + '\n');
  return { result, scenario };
}
