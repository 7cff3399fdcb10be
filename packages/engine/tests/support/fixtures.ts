import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { StoredFile } from '@creditbook/engine';

const base = path.join(import.meta.dirname, '..', 'cases', '_base');

/** The small demo pack every ledger test starts from: a card, a catalog and a validity policy. */
export function demoPack(): StoredFile[] {
  return ['card.yaml', 'plans.yaml', 'validity.yaml'].map((f) => ({ path: `_base/${f}`, text: readFileSync(path.join(base, f), 'utf8') }));
}

/** A scenario on the demo pack, as YAML text. */
export function demoScenario(body: string): StoredFile {
  return {
    path: 'scenario.yaml',
    text: `kind: Scenario
id: demo
version: 1
effective_from: 2025-01-01
status: published
audit: { author: tests, saved_at: 2025-01-01T00:00:00Z }
${body}`,
  };
}
