import { checkScenarioRuns, loadFiles, type Diagnostic, type LoadResult, type StoredFile } from '@creditbook/engine';
import { DirectoryStore } from '@creditbook/engine/node';
import { env } from './env.ts';

/** The rule store the app reads and writes (atomic writes, exclusive creates). */
export function ruleStore(): DirectoryStore {
  return new DirectoryStore(env().rulesDir);
}

/** The loaded store: every document, and every problem `creditbook validate` would report. */
export interface LoadedStore {
  files: StoredFile[];
  result: LoadResult;
  /** Load errors plus what forecasting every scenario finds (as `validate` reports them). */
  problems: Diagnostic[];
}

let cache: { key: string; loaded: LoadedStore } | undefined;

/** Loads the store; a store unchanged since the last call is not loaded again. */
export async function loadRules(): Promise<LoadedStore> {
  const files = await ruleStore().list();
  const key = `${env().rulesDir}\n${files.map((f) => `${f.path}\u0000${f.text}`).join('\u0001')}`;
  if (cache?.key === key) return cache.loaded;
  const result = await loadFiles(files);
  const runs = result.errors.length === 0 ? await checkScenarioRuns(result.rules) : [];
  const loaded = { files, result, problems: [...result.errors, ...runs] };
  cache = { key, loaded };
  return loaded;
}
