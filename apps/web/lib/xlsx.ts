import { randomBytes } from 'node:crypto';
import { readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { exportScenario } from '@creditbook/exporter';
import type { RuleSet, Scenario } from '@creditbook/engine';

/**
 * The live Excel workbook of a scenario's runs (base first), from the project's exporter: inputs as
 * values, every derived cell a formula with its cached value. The exporter writes a file; the bytes are
 * read back and the file removed.
 */
export async function scenarioXlsx(rules: RuleSet, scenario: Scenario, runs: readonly string[]): Promise<Buffer> {
  const file = path.join(/*turbopackIgnore: true*/ os.tmpdir(), `creditbook-export-${randomBytes(8).toString('hex')}.xlsx`);
  try {
    await exportScenario(rules, scenario, file, { variants: runs });
    return await readFile(/*turbopackIgnore: true*/ file);
  } finally {
    await rm(/*turbopackIgnore: true*/ file, { force: true });
  }
}
