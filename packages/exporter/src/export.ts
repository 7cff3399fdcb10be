import { forecast, runNames, type ForecastResult, type RuleSet, type Scenario } from '@creditbook/engine';
import { modelSheets } from './model.ts';
import { writeSheets, type SheetSource } from './write.ts';

export interface ExportOptions {
  /** Runs to export: one variant (or 'base'), or every run of the scenario. Default: base only. */
  variants?: readonly string[] | 'all';
  /** A fixed creation time: the same input then gives the same file. */
  created?: Date;
  /** Called after each forecast: forecasts done, forecasts the export needs (two per run, see `modelSheets`). */
  onProgress?: (done: number, total: number) => void;
}

export interface ExportResult {
  /** The runs exported, by name. */
  runs: string[];
}

/**
 * Forecasts the runs and writes the live model, one run's sheets at a time (each computed, written
 * and let go before the next), so memory stays flat however many variants there are.
 */
export async function exportScenario(rules: RuleSet, scenario: Scenario, path: string, options: ExportOptions = {}): Promise<ExportResult> {
  const names = options.variants === 'all' ? runNames(scenario) : options.variants && options.variants.length > 0 ? [...options.variants] : ['base'];
  let forecasts = 0;
  const run = async (name: string): Promise<ForecastResult> => {
    const result = await forecast(rules, scenario, { variant: name });
    options.onProgress?.(++forecasts, 2 * names.length);
    return result;
  };
  const model = modelSheets(rules, scenario, names, run);
  async function* sources(): AsyncGenerator<SheetSource> {
    for await (const m of model.sheets) yield { ...m.sheet, highlights: m.highlights };
  }
  await writeSheets(path, sources(), async () => {
    const meta = await model.meta;
    return { currency: meta.currency ?? 'USD', title: meta.title, properties: meta.properties, ...(options.created ? { created: options.created } : {}) };
  });
  return { runs: names };
}
