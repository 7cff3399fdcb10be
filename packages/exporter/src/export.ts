import { modelSheets, runNames, type RuleSet, type Scenario } from '@creditbook/engine';
import { writeSheets, type SheetSource } from './write.ts';

export interface ExportOptions {
  /** Runs to export: one variant (or 'base'), or every run of the scenario. Default: base only. */
  variants?: readonly string[] | 'all';
  /** A fixed creation time: the same input then gives the same file. */
  created?: Date;
  /** Called as the export goes: steps done and steps in all (each run is planned, then written). */
  onProgress?: (done: number, total: number) => void;
}

export interface ExportResult {
  /** The runs exported, by name. */
  runs: string[];
}

/**
 * Writes the engine's live model of the runs (see `modelSheets`), one run's sheets at a time, each
 * computed, written and let go before the next, so memory stays flat however many variants there are.
 */
export async function exportScenario(rules: RuleSet, scenario: Scenario, path: string, options: ExportOptions = {}): Promise<ExportResult> {
  const names = options.variants === 'all' ? runNames(scenario) : options.variants && options.variants.length > 0 ? [...options.variants] : ['base'];
  const model = modelSheets(rules, scenario, names, {
    ...(options.onProgress ? { onProgress: options.onProgress } : {}),
    ...(options.created ? { created: options.created } : {}),
  });
  async function* sources(): AsyncGenerator<SheetSource> {
    for await (const s of model.sheets) yield { ...s, highlights: s.highlights ?? [] };
  }
  await writeSheets(path, sources(), async () => {
    const meta = await model.meta;
    return { currency: meta.currency ?? 'USD', title: meta.title, properties: meta.properties, ...(options.created ? { created: options.created } : {}) };
  });
  return { runs: names };
}
