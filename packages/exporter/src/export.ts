import { forecast, recalculate, runNames, type ForecastResult, type RuleSet, type Scenario, type Workbook } from '@creditbook/engine';
import { buildModel } from './model.ts';
import { writeWorkbook } from './write.ts';

export interface ExportOptions {
  /** Runs to export: one variant (or 'base'), or every run of the scenario. Default: base only. */
  variants?: readonly string[] | 'all';
  /** A fixed creation time: the same input then gives the same file. */
  created?: Date;
}

export interface ExportResult {
  workbook: Workbook;
  runs: ForecastResult[];
}

/** Forecasts the runs, builds the live model, computes every formula's cached value and writes the file. */
export async function exportScenario(rules: RuleSet, scenario: Scenario, path: string, options: ExportOptions = {}): Promise<ExportResult> {
  const names = options.variants === 'all' ? runNames(scenario) : options.variants && options.variants.length > 0 ? [...options.variants] : ['base'];
  const runs: ForecastResult[] = [];
  for (const name of names) runs.push(await forecast(rules, scenario, { variant: name }));
  const { workbook, highlights } = await buildModel({ rules, scenario, runs });
  const { cycles } = recalculate(workbook);
  if (cycles.length > 0) throw new Error(`the export model has a reference cycle: ${cycles[0]!.join(' -> ')}`);
  await writeWorkbook(path, workbook, options.created ? { created: options.created } : {}, highlights);
  return { workbook, runs };
}
