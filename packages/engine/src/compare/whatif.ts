import { CreditbookError, diagnostic } from '../diagnostics/index.ts';
import type { RuleSet } from '../rules/ruleset.ts';
import type { Scenario, Variant } from '../rules/types.ts';
import { forecast } from '../ledger/forecast.ts';
import { runNames } from '../ledger/variant.ts';
import type { ForecastResult, PeriodRow, Totals } from '../ledger/types.ts';

/** One value that changed: which run, which figure (a total, or a period row's field), before and after. */
export interface WhatIfChange {
  run: string;
  /** `totals.<key>` or `periods.<period>.<pool>.<key>`. */
  at: string;
  before: number | string | null;
  after: number | string | null;
}

/** What a run may change in a what-if: the fields of a variant other than its name. */
export type VariantPatch = Partial<Omit<Variant, 'name'>>;

const TOTAL_KEYS: readonly (keyof Totals)[] = [
  'granted',
  'purchased',
  'consumed',
  'expired',
  'unmet',
  'demand',
  'spend',
  'expired_value',
  'output_seconds',
  'utilisation',
  'cost_per_credit',
  'cost_per_second',
];
const PERIOD_KEYS = [
  'opening',
  'granted',
  'purchased',
  'consumed',
  'expired',
  'closing',
  'demand',
  'unmet',
  'spend',
  'expired_value',
  'expiring_soon',
] as const;

/**
 * A loaded what-if: a scenario's base and variants, forecast once. Changing the inputs of one run
 * recomputes that run only (runs do not depend on each other) and returns the values that changed.
 */
export class WhatIf {
  private scenario: Scenario;
  private readonly results = new Map<string, ForecastResult>();

  private constructor(
    private readonly rules: RuleSet,
    scenario: Scenario,
  ) {
    this.scenario = scenario;
  }

  static async open(rules: RuleSet, scenario: Scenario): Promise<WhatIf> {
    const w = new WhatIf(rules, scenario);
    for (const name of runNames(scenario)) w.results.set(name, await forecast(rules, scenario, { variant: name }));
    return w;
  }

  /** The current result of a run. */
  result(run: string): ForecastResult {
    const r = this.results.get(run);
    if (!r) throw unknownRun(this.scenario, run);
    return r;
  }

  runs(): string[] {
    return [...this.results.keys()];
  }

  /** Replaces a variant's inputs with the patch and recomputes it alone; returns what changed. */
  async set(run: string, patch: VariantPatch): Promise<WhatIfChange[]> {
    const variants = this.scenario.variants ?? [];
    const at = variants.findIndex((v) => v.name === run);
    if (at < 0) throw unknownRun(this.scenario, run);
    const next: Variant = { ...variants[at]!, ...patch, name: run };
    const scenario: Scenario = { ...this.scenario, variants: variants.map((v, i) => (i === at ? next : v)) };
    const after = await forecast(this.rules, scenario, { variant: run });
    const before = this.results.get(run)!;
    this.scenario = scenario;
    this.results.set(run, after);
    return diff(run, before, after);
  }
}

function unknownRun(scenario: Scenario, run: string): CreditbookError {
  const known = runNames(scenario)
    .filter((n) => n !== 'base')
    .join(', ');
  return new CreditbookError([diagnostic({ code: 'C_VARIANT', detail: `'${run}' in ${scenario.id} (variants: ${known})` })]);
}

function diff(run: string, a: ForecastResult, b: ForecastResult): WhatIfChange[] {
  const out: WhatIfChange[] = [];
  for (const k of TOTAL_KEYS) {
    const x = a.totals[k];
    const y = b.totals[k];
    if (x !== y) out.push({ run, at: `totals.${k}`, before: x, after: y });
  }
  const key = (p: PeriodRow) => `${p.period}.${p.pool}`;
  const old = new Map(a.periods.map((p) => [key(p), p]));
  for (const p of b.periods) {
    const q = old.get(key(p));
    for (const k of PERIOD_KEYS) {
      const y = p[k];
      const x = q ? q[k] : null;
      if (x !== y) out.push({ run, at: `periods.${key(p)}.${k}`, before: x, after: y });
    }
  }
  return out;
}
