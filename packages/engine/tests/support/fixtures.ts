import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Portfolio, StoredFile } from '@creditbook/engine';

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

/** A portfolio on the demo pack, as YAML text (its cohorts and the rest in `body`). */
export function demoPortfolio(body: string, id = 'demo-base'): StoredFile {
  return {
    path: 'portfolio.yaml',
    text: `kind: Portfolio
id: ${id}
version: 1
effective_from: 2025-01-01
status: published
audit: { author: tests, saved_at: 2025-01-01T00:00:00Z }
currency: USD
${body}`,
  };
}

/** The bundled rules of the repository. */
export const repoRules = path.join(import.meta.dirname, '..', '..', '..', '..', 'rules');

/** A draft portfolio of the given cohorts over a scenario's months (or `horizon` of them). */
export function checkPortfolio(s: { start: string; horizon: number }, cohorts: Portfolio['cohorts'], horizon = s.horizon): Portfolio {
  return {
    kind: 'Portfolio',
    id: 'check',
    version: 1,
    effective_from: '2025-01-01',
    status: 'draft',
    audit: { author: 't', saved_at: '2025-01-01' },
    currency: 'USD',
    start: s.start,
    horizon,
    cohorts,
  };
}
