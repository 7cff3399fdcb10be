import { computeSheets } from '../graph/graph.ts';
import { PricingCache } from '../ledger/cache.ts';
import { planOf } from '../ledger/derive.ts';
import type { LedgerPlan, PlannedLot } from '../ledger/plan.ts';
import { simulate } from '../ledger/simulate.ts';
import type { Totals, VersionUse } from '../ledger/types.ts';
import { applyVariant } from '../ledger/variant.ts';
import type { RuleSet } from '../rules/ruleset.ts';
import type { Scenario } from '../rules/types.ts';
import { ENGINE_VERSION } from './build.ts';
import { colLetters, f } from './formula.ts';
import { LEDGER, ledgerRow, runSheets, type LotsLayout } from './ledger-sheets.ts';
import { definedName, sheetName } from './names.ts';
import { rateCardSheet, type RateSheet } from './rate-card.ts';
import { demandInputs, demandSheet } from './demand-sheet.ts';
import { coverSheet, type CoverInput } from './cover.ts';
import { dateValidation, inputValidation } from './validation.ts';
import { excelDate } from './timeline.ts';
import { checksSheet, overallCheck, type CheckedRun } from './checks-sheet.ts';
import { REVENUE_LINES, revenueInputs, revenueSheet, type RevenueInput, type RevenueSheet } from './revenue-sheet.ts';
import { periodTerms } from '../books/terms.ts';
import type { BooksOptions } from '../books/types.ts';
import type { Cell, Column, Format, Formula, Sheet, Workbook } from './types.ts';

const val = (v: Cell['v'], fmt?: Format): Cell => (fmt ? { v, fmt } : { v });
const calc = (formula: Formula, fmt: Format): Cell => ({ v: null, f: formula, fmt });
/** Computes sheets (and only them) with the engine's graph. */
const compute = computeSheets;
const header = (cols: Column[]): Cell[] => cols.map((c) => ({ v: c.title, fmt: 'text' as const }));

/**
 * The document an input's value comes from in a run: a variant inherits the base's input only when
 * both read it from the same document (a variant on another catalog or policy has its own inputs).
 */
function inputSource(key: string, plan: LedgerPlan, scenario: Scenario): string {
  const eff = plan.eff;
  if (/^(pack:|price_month:|price_year:|credits_per_month:|daily_free)/.test(key)) return `PlanCatalog ${eff.plan.catalog}`;
  if (key.startsWith('grant:') || key.startsWith('priority:grant:')) return eff.grants === (scenario.grants ?? eff.grants) ? 'grants' : `grants of ${plan.run}`;
  if (key.startsWith('validity:') || key.startsWith('priority:') || key.startsWith('breakage|') || key.startsWith('overdraft'))
    return `ValidityPolicy ${eff.rules.validity}`;
  if (key === 'auto_topup' || key.startsWith('topup:') || key.startsWith('scheduled:'))
    return eff.purchases === (scenario.purchases ?? eff.purchases) ? 'purchases' : `purchases of ${plan.run}`;
  if (key.startsWith('demand:')) return 'demand';
  // Anything else a run sets for itself (a migration, a demand scale).
  return `run ${plan.run}`;
}

/**
 * Where a Revenue sheet's figures are, as plain data: the Checks are written after the last run, and
 * a layout that kept the sheet (its closures do) would hold every run's Revenue sheet until then.
 */
function revenueLayout(revenue: RevenueSheet, pools: readonly string[], horizon: number): CheckedRun['revenueLayout'] {
  const rolls = new Map<string, number>();
  for (const pool of pools) for (const line of REVENUE_LINES) rolls.set(`${pool}|${line.key}`, revenue.rollRow(pool, line.key));
  // A loop, not a callback: a closure reading `revenue` would keep it in the context the returned functions share.
  const cols: number[] = [];
  for (let i = 0; i < horizon; i++) cols.push(revenue.col(i));
  return { rollRow: (pool, key) => rolls.get(`${pool}|${key}`)!, recognised: new Map(revenue.recognised), col: (i) => cols[i]! };
}

/**
 * The auto top-ups and scheduled purchases' lots that buy nothing as exported (about half the Lots rows
 * of a run with top-ups): live rows (an edit can make one buy), put in collapsed outline groups so they
 * keep out of the way.
 */
function idleLots(plan: LedgerPlan, lots: Sheet, layout: LotsLayout): PlannedLot[] {
  return plan.lots.filter((l) => (l.auto || l.scheduled) && lots.rows[layout.row.get(l)!]?.[layout.cols.amount]?.v === 0);
}

/** Where an input's value is written in the rules (list items by id), for the cover's sources and confidence. */
function inputOrigin(rules: RuleSet, key: string, plan: LedgerPlan, scenario: Scenario): CoverInput['from'] {
  const eff = plan.eff;
  const [head, version] = key.split('@') as [string, string | undefined];
  const v = Number(version);
  const parts = head.split(/[:|]/);
  const catalog = (path: (string | number)[]) => ({ kind: 'PlanCatalog', id: eff.plan.catalog, version: v, path });
  const policy = (path: (string | number)[]) => ({ kind: 'ValidityPolicy', id: eff.rules.validity, version: v, path });
  const variantAt = (scenario.variants ?? []).findIndex((x) => x.name === plan.run);
  const own = (field: string) =>
    variantAt >= 0 && (scenario.variants![variantAt] as unknown as Record<string, unknown>)[field] !== undefined ? ['variants', variantAt] : [];
  const inScenario = (path: (string | number)[]) => ({ kind: 'Scenario', id: scenario.id, version: scenario.version, path });
  switch (parts[0]) {
    case 'price_month':
    case 'price_year':
    case 'credits_per_month':
      return catalog(['subscriptions', parts[1]!, parts[0]]);
    case 'daily_free':
      return catalog(['daily_free', 'credits_per_day']);
    case 'pack': {
      const doc = rules.get('PlanCatalog', eff.plan.catalog, v)?.doc;
      const list = (['top_ups', 'api_packages', 'custom_packages'] as const).find((l) => (doc?.[l] ?? []).some((x) => x.id === parts[1]));
      return list ? catalog([list, parts[1]!, parts[2]!]) : undefined;
    }
    case 'validity':
    case 'priority':
      return parts[1] === 'grant' ? inScenario([...own('grants'), 'grants', Number(parts[2]), 'priority']) : policy(['sources', parts[1]!, parts[0]]);
    case 'overdraft':
      return policy(['overdraft', 'limit']);
    case 'breakage': {
      // The rate's label names the policy version whose revenue terms it comes from.
      const m = /\(ValidityPolicy (\S+) v(\d+)/.exec(key);
      return m ? { kind: 'ValidityPolicy', id: m[1]!, version: Number(m[2]), path: ['revenue', 'breakage', parts[1]!] } : undefined;
    }
    case 'demand':
      return inScenario(['demand', Number(parts[1]), 'count']);
    case 'share':
      return inScenario(['variants', variantAt, 'migrate', Number(parts[2]), 'share']);
    case 'migration':
      return inScenario(['variants', variantAt, 'migrate', Number(parts[1]), 'from_period']);
    case 'demand_scale':
      return inScenario(['variants', variantAt, 'demand_scale']);
    case 'scheduled':
      return inScenario([...own('purchases'), 'purchases', 'scheduled', Number(parts[1]), parts[2] === 'first' ? 'period' : parts[2]!]);
    case 'grant':
      return inScenario([...own('grants'), 'grants', Number(parts[1]), 'credits']);
    case 'auto_topup':
    case 'topup':
      return inScenario([...own('purchases'), 'purchases']);
    default:
      return undefined;
  }
}

/** What the Summary needs of a run: where its sheets are, and its totals as the cells' cached values. */
interface RunInfo {
  name: string;
  ledger: string;
  demand: string;
  lots: string;
  revenue: string;
  /** Pools of the run, in the Ledger's order. */
  pools: number;
  versions: string;
  totals: Totals;
  uses: VersionUse[];
  currency: string;
}

/** The live model's sheets, produced one at a time, and the workbook's title and properties. */
export interface ModelStream {
  sheets: AsyncGenerator<Sheet>;
  meta: Promise<Omit<Workbook, 'sheets'>>;
}

export interface ModelOptions {
  /** Called as the model goes: steps done and steps in all (each run is planned, then written). */
  onProgress?: (done: number, total: number) => void;
  cache?: PricingCache;
  /** When the file is made (the cover says so); default: now. */
  created?: Date;
  /** What-if revenue terms for the Revenue sheets (as `books` takes them): a method, one expected rate for every paid source. */
  books?: BooksOptions;
}

type Metric = [string, Format, (x: RunInfo, row: (label: string) => Formula) => Formula, (t: Totals) => Cell['v']];

/** The Summary's figures: totals over each run's Ledger, with the engine's totals as cached values. */
function metrics(): Metric[] {
  // A line's Total in the Ledger, added over the run's pools.
  const col = (x: RunInfo, key: string) =>
    f.fn('SUM', ...Array.from({ length: Math.max(1, x.pools) }, (_, k) => f.ref(ledgerRow(k, key), LEDGER.total, x.ledger)));
  return [
    ['Credits granted', 'credits', (x) => col(x, 'granted'), (t) => t.granted],
    ['Credits purchased', 'credits', (x) => col(x, 'purchased'), (t) => t.purchased],
    ['Credits consumed', 'credits', (x) => col(x, 'consumed'), (t) => t.consumed],
    ['Credits expired', 'credits', (x) => col(x, 'expired'), (t) => t.expired],
    ['Demand unmet (credits)', 'credits', (x) => col(x, 'unmet'), (t) => t.unmet],
    ['Demand (credits)', 'credits', (x) => col(x, 'demand'), (t) => t.demand],
    ['Spend', 'money', (x) => col(x, 'spend'), (t) => Number(t.spend)],
    ['Breakage value (expired at cost)', 'money', (x) => col(x, 'expired_value'), (t) => Number(t.expired_value)],
    ['Output seconds served', 'number', (x) => col(x, 'output_seconds'), (t) => t.output_seconds],
    [
      'Effective cost per credit consumed',
      'ratio',
      (_x, row) => f.fn('IF', f.cmp('=', row('Credits consumed'), f.num(0)), f.str(''), f.div(row('Spend'), row('Credits consumed'))),
      (t) => (t.consumed === 0 ? '' : Number(t.spend) / t.consumed),
    ],
    [
      'Effective cost per output second',
      'ratio',
      (_x, row) => f.fn('IF', f.cmp('=', row('Output seconds served'), f.num(0)), f.str(''), f.div(row('Spend'), row('Output seconds served'))),
      (t) => (t.output_seconds === 0 ? '' : Number(t.spend) / t.output_seconds),
    ],
    [
      'Utilisation (consumed ÷ available)',
      'percent',
      (_x, row) =>
        f.fn(
          'IF',
          f.cmp('=', f.add(row('Credits granted'), row('Credits purchased')), f.num(0)),
          f.num(0),
          f.div(row('Credits consumed'), f.add(row('Credits granted'), row('Credits purchased'))),
        ),
      (t) => (t.granted + t.purchased === 0 ? 0 : t.consumed / (t.granted + t.purchased)),
    ],
    ['Output seconds demanded', 'number', (x) => col(x, 'demand_seconds'), (t) => t.demand_seconds],
  ];
}

function summarySheet(name: string, infos: readonly RunInfo[], checks: Formula): { sheet: Sheet; labels: [string, Format][]; values: Cell['v'][][] } {
  const cols: Column[] = [
    { key: 'metric', title: 'Metric', width: 40 },
    ...infos.map((r) => ({ key: r.name, title: r.name, width: 18 })),
    { key: 'checks', title: 'Checks', width: 10 },
    { key: 'checks_result', title: 'OK', width: 10 },
  ];
  const ms = metrics();
  // The header row ends with the one overall check: OK, or ERROR when any line of the Checks sheet fails.
  const rows: Cell[][] = [[...header(cols).slice(0, -1), { v: 'OK', f: checks, fmt: 'text' }]];
  const rowOf = (label: string) => ms.findIndex((x) => x[0] === label) + 1;
  const values: Cell['v'][][] = [];
  for (const [label, fmt, make, cached] of ms) {
    const vs = infos.map((x) => cached(x.totals));
    values.push(vs);
    rows.push([
      val(label, 'text'),
      ...infos.map((x, k) => ({
        ...calc(
          make(x, (l) => f.ref(rowOf(l), k + 1)),
          fmt,
        ),
        v: vs[k]!,
      })),
    ]);
  }
  rows.push([val('Rule versions used', 'text'), ...infos.map((x) => val(x.versions, 'text'))]);
  return { sheet: { name, columns: cols, rows, frozen: 1 }, labels: ms.map((m): [string, Format] => [m[0], m[1]]), values };
}

function compareSheet(name: string, summary: string, labels: [string, Format][], runs: readonly string[], values: Cell['v'][][]): Sheet {
  const cols: Column[] = [
    { key: 'metric', title: 'Metric', width: 40 },
    ...runs.map((r) => ({ key: r, title: r, width: 16 })),
    ...runs.slice(1).map((r) => ({ key: `d-${r}`, title: `Δ ${r}`, width: 16 })),
  ];
  const rows: Cell[][] = [header(cols)];
  labels.forEach(([label, fmt], m) => {
    const r = m + 1;
    const vs = values[m] ?? [];
    const cells: Cell[] = [val(label, 'text')];
    runs.forEach((_, k) => cells.push({ ...calc(f.ref(r, k + 1, summary), fmt), v: vs[k] ?? null }));
    runs.slice(1).forEach((_, k) => {
      const delta = f.sub(f.ref(r, k + 2), f.ref(r, 1));
      const a = vs[k + 1];
      const b = vs[0];
      // Ratios may be blank (nothing consumed); their delta is blank too.
      cells.push({ ...calc(fmt === 'ratio' ? f.fn('IFERROR', delta, f.str('')) : delta, fmt), v: typeof a === 'number' && typeof b === 'number' ? a - b : '' });
    });
    rows.push(cells);
  });
  return { name, columns: cols, rows, frozen: 1 };
}

/**
 * The live model of a scenario's runs, produced one sheet at a time: Summary, Compare (several
 * runs), Assumptions and Rate card first, then each run's Demand, Ledger and Lots, written from
 * the run's ledger plan and computed by the engine's graph (cached values included) before the
 * next run's. Each run is planned once; its sheets are made when it is its turn and then let go.
 */
export function modelSheets(rules: RuleSet, scenario: Scenario, runNames: readonly string[], options: ModelOptions = {}): ModelStream {
  let resolveMeta!: (m: Omit<Workbook, 'sheets'>) => void;
  let rejectMeta!: (e: unknown) => void;
  const meta = new Promise<Omit<Workbook, 'sheets'>>((res, rej) => {
    resolveMeta = res;
    rejectMeta = rej;
  });
  // A consumer that fails before asking for the first sheet must not leave an unhandled rejection.
  meta.catch(() => undefined);
  const cache = options.cache ?? new PricingCache(rules);
  const single = runNames.length === 1;
  const taken = new Set<string>();
  const definedNames = new Set<string>();
  const runSheet = (kind: string, run: string) => sheetName(single ? kind : `${kind} · ${run}`, taken);
  const coverName = sheetName('Cover', taken);
  const summaryName = sheetName('Summary', taken);
  const assumptionsName = sheetName('Assumptions', taken);
  const rateName = sheetName('Rate card', taken);
  const compareName = single ? undefined : sheetName('Compare', taken);
  const checksName = sheetName('Checks', taken);
  const steps = 2 * runNames.length;
  let done = 0;

  // Assumptions: one row per input label, one column per run.
  const assumptionCols: Column[] = [{ key: 'input', title: 'Input', width: 72 }, ...runNames.map((r) => ({ key: r, title: r, width: 18 }))];
  const assumptionRows: Cell[][] = [];
  const rowOfLabel = new Map<string, number>();
  const setAssumption = (run: number, label: string, cell: Cell) => {
    let r = rowOfLabel.get(label);
    if (r === undefined) {
      r = assumptionRows.length + 1;
      rowOfLabel.set(label, r);
      assumptionRows.push([val(label, 'text'), ...runNames.map(() => val(null))]);
    }
    assumptionRows[r - 1]![run + 1] = cell;
  };
  const inputNames = runNames.map(() => new Map<string, string>());
  // The base run's inputs (when the base is exported first): a variant's input with the same key, value
  // and source document is a formula on the base's cell, so it follows an edit there.
  const baseInputs = new Map<string, { name: string; value: number; source: string }>();
  const inherits = runNames[0] === 'base';
  const rateInputs: RevenueInput[][] = [];
  const coverInputs = runNames.map((): CoverInput[] => []);
  const setInput = (k: number, plan: LedgerPlan, key: string, label: string, value: number, fmt: Format, name: string, validation: Cell['validation']) => {
    inputNames[k]!.set(key, name);
    const from = inputOrigin(rules, key, plan, scenario);
    coverInputs[k]!.push({ run: runNames[k]!, label, value, fmt, ...(from ? { from } : {}) });
    const source = inputSource(key, plan, scenario);
    const base = k > 0 && inherits ? baseInputs.get(key) : undefined;
    if (k === 0 && inherits) baseInputs.set(key, { name, value, source });
    if (base && base.value === value && base.source === source) setAssumption(k, label, { v: value, f: f.name(base.name), fmt, name });
    else setAssumption(k, label, { v: value, fmt, input: true, name, ...(validation ? { validation } : {}) });
  };
  const describeRun = (k: number, plan: LedgerPlan) => {
    // What the scenario sets as text: shown, not inputs (the file cannot re-plan a run).
    const setting = (label: string, v: string) =>
      setAssumption(k, `${label} (set in the scenario)`, {
        v,
        fmt: 'text',
        setting: true,
        note: 'Set in the scenario file; changing it here changes nothing.',
      });
    setting('Plan catalog', plan.plan.catalog);
    setting('Subscription tier', plan.plan.subscription ?? '(none)');
    setting('Billing', plan.plan.billing);
    setting('Purchase policy', plan.eff.purchases.policy);
    setting('Validity policy', plan.eff.rules.validity);
    const labels = new Set<string>();
    for (const inp of plan.inputs.values()) {
      const name = definedName([runNames[k]!, ...inp.name], definedNames);
      // Two inputs of one run never share a row.
      const label = labels.has(inp.label) ? `${inp.label} [${inp.key}]` : inp.label;
      labels.add(label);
      if (inp.fmt === 'period') {
        // A first period (a scheduled purchase's) is the date it starts: in force from the first period starting on or after it.
        const fmt = plan.cal.granularity === 'day' ? 'day' : 'month';
        setInput(k, plan, inp.key, label, excelDate(plan.cal.date(inp.value)), fmt, name, dateValidation(plan.cal));
      } else setInput(k, plan, inp.key, label, inp.value, inp.fmt, name, inputValidation(inp.key, inp.fmt));
    }
    for (const x of demandInputs(plan)) setInput(k, plan, x.key, x.label, x.value, x.fmt, definedName([runNames[k]!, ...x.name], definedNames), x.validation);
    // The revenue terms in force in each period, their expected breakage rates as inputs.
    const labelOf = (i: number) => plan.cal.label(i);
    const terms = periodTerms(
      rules,
      Array.from({ length: plan.cal.horizon }, (_, i) => labelOf(i)),
      [...plan.uses.values()],
      options.books ?? {},
    );
    const rates = revenueInputs(terms, labelOf, plan.lots);
    rateInputs[k] = rates;
    for (const x of rates) {
      const name = definedName([runNames[k]!, 'breakage', x.source, ...(x.from > 0 ? [labelOf(x.from)] : [])], definedNames);
      setInput(k, plan, `${x.key}|${x.label}`, x.label, x.value, 'percent', name, inputValidation(x.key, 'percent'));
      inputNames[k]!.set(x.key, name);
    }
  };

  async function* produce(): AsyncGenerator<Sheet> {
    const plans: LedgerPlan[] = [];
    const infos: RunInfo[] = [];
    const checked: CheckedRun[] = [];
    // The base run's Demand profile rows: a variant's profile refers to them.
    let baseDemand: { sheet: string; rows: ReadonlyMap<number, number>; of: Sheet } | undefined;
    try {
      for (const [k, name] of runNames.entries()) {
        const plan = await planOf(rules, applyVariant(scenario, name), cache, true);
        const sim = simulate(plan, { detail: false });
        plans.push(plan);
        describeRun(k, plan);
        const uses = [...plan.uses.values()];
        infos.push({
          name,
          ledger: runSheet('Ledger', name),
          demand: runSheet('Demand', name),
          lots: runSheet('Lots', name),
          revenue: runSheet('Revenue', name),
          pools: plan.pools.length,
          versions: uses.map((x) => `${x.id} v${x.version}`).join(', '),
          totals: sim.totals,
          uses,
          currency: plan.currency,
        });
        options.onProgress?.(++done, steps);
      }
      const uses = infos.flatMap((i) => i.uses);
      const rate: RateSheet = await rateCardSheet(rules, uses, rateName);
      const summary = summarySheet(
        summaryName,
        infos,
        overallCheck(
          checksName,
          infos.map((x) => x.pools),
        ),
      );
      resolveMeta({
        title: `${scenario.id}${single ? ` — ${runNames[0]!}` : ''}`,
        currency: infos[0]?.currency ?? scenario.currency ?? 'USD',
        properties: {
          scenario: `${scenario.id} v${scenario.version}`,
          runs: runNames.join(', '),
          rules: [...new Set(uses.map((v) => `${v.kind}:${v.id}@${v.version}`))].join(' '),
          engine: `@creditbook/engine ${ENGINE_VERSION}`,
        },
      });
      const variants = new Map((scenario.variants ?? []).map((v) => [v.name, v.description ?? ''] as const));
      yield coverSheet(
        coverName,
        rules,
        scenario,
        infos.map((x, k) => ({
          name: x.name,
          description: x.name === 'base' ? 'The scenario as written.' : (variants.get(x.name) ?? ''),
          uses: x.uses,
          inputs: [
            ...coverInputs[k]!,
            ...rate.parameters
              .filter((p) => x.uses.some((u) => u.kind === 'RateCard' && u.id === p.from.id && u.version === p.from.version))
              .map((p) => ({ ...p, run: x.name })),
          ],
        })),
        { summary: summaryName, checksCell: `${colLetters(infos.length + 2)}1`, created: (options.created ?? new Date()).toISOString() },
      );
      yield summary.sheet;
      if (compareName) yield compareSheet(compareName, summaryName, summary.labels, runNames, summary.values);
      const assumptions: Sheet = { name: assumptionsName, columns: assumptionCols, rows: [header(assumptionCols), ...assumptionRows], frozen: 1 };
      yield assumptions;
      compute([rate.sheet]);
      yield rate.sheet;
      for (const [k, plan] of plans.entries()) {
        const info = infos[k]!;
        const names = inputNames[k]!;
        const input = (key: string) => f.name(names.get(key)!);
        // The base run's Demand (a variant's profile reads it) and the Assumptions and Rate card are computed already.
        const computed = [assumptions, rate.sheet, ...(k > 0 && baseDemand ? [baseDemand.of] : [])];
        let lots: Sheet;
        let lotsLayout: LotsLayout;
        let idle: PlannedLot[];
        {
          // Demand, Ledger and Lots are one graph (the Lots draw on the Ledger's demand, the Ledger sums the Lots);
          // they are computed, written and, but for the Lots' values the Revenue reads, let go before the Revenue is made.
          const demand = demandSheet(plan, info.demand, rate, input, k > 0 && baseDemand ? baseDemand : undefined);
          if (k === 0 && inherits) baseDemand = { sheet: info.demand, rows: demand.profileRows, of: demand.sheet };
          const built = runSheets(plan, { ledger: info.ledger, lots: info.lots }, demand, input);
          compute([...computed, built.demand, built.ledger, built.lots], computed);
          lots = built.lots;
          lotsLayout = built.lotsLayout;
          idle = idleLots(plan, lots, lotsLayout);
          lots.collapsedRows = idle.map((l) => lotsLayout.row.get(l)!);
          yield built.demand;
          yield built.ledger;
        }
        yield lots;
        const revenue = revenueSheet(plan, info.revenue, info.lots, lotsLayout, rateInputs[k]!, input);
        // Nothing the Revenue reads changes with it: its graph is its own formulas over the Lots' values.
        compute([...computed, lots, revenue.sheet], [...computed, lots]);
        revenue.sheet.collapsedRows = idle.flatMap((l) => revenue.lotRows.get(l) ?? []).sort((a, b) => a - b);
        checked.push({
          name: info.name,
          cal: plan.cal,
          pools: plan.pools,
          ledger: info.ledger,
          lots: info.lots,
          lotsLayout,
          revenue: info.revenue,
          revenueLayout: revenueLayout(revenue, plan.pools, plan.cal.horizon),
        });
        plans[k] = undefined as unknown as LedgerPlan;
        options.onProgress?.(++done, steps);
        yield revenue.sheet;
      }
      yield checksSheet(checksName, checked);
    } catch (e) {
      rejectMeta(e);
      throw e;
    }
  }
  return { sheets: produce(), meta };
}

/** The whole live model in memory, every formula computed by the engine's graph (for tests, the CLI and the web app). */
export async function buildModel(rules: RuleSet, scenario: Scenario, runNames: readonly string[], options: ModelOptions = {}): Promise<Workbook> {
  const stream = modelSheets(rules, scenario, runNames, options);
  const sheets: Sheet[] = [];
  for await (const s of stream.sheets) sheets.push(s);
  const workbook: Workbook = { ...(await stream.meta), sheets };
  compute(sheets);
  return workbook;
}

/** The live model of one forecast run: Summary, Assumptions, Rate card, Demand, Ledger and Lots (what the CLI prints). */
export async function forecastWorkbook(rules: RuleSet, scenario: Scenario, options: { variant?: string | null; cache?: PricingCache } = {}): Promise<Workbook> {
  return buildModel(rules, scenario, [options.variant ?? 'base'], options.cache ? { cache: options.cache } : {});
}
