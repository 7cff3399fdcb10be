import { CreditbookError, diagnostic, type Diagnostic } from '../diagnostics/index.ts';
import type { BurnKey, LotSource, Money, Pack, PlanCatalog, ScheduledPurchase, SourcePolicy, Subscription, Validity, ValidityPolicy } from '../rules/types.ts';
import { completeBurnOrder } from './burn-order.ts';
import { money, ZERO } from './money.ts';
import {
  NEVER,
  type AutoTopUp,
  type LedgerPlan,
  type LotCategory,
  type MoneyAmount,
  type Payment,
  type PlanInput,
  type PlannedLot,
  type Quantity,
  type RolledLot,
  type ScheduledBuy,
  type TopUpPolicy,
} from './plan.ts';
import { firstInHorizon, isDue } from './schedule.ts';
import { lastValidOf } from './calendar.ts';

/** A grant's priority when neither the grant nor the policy's promotional source gives one (Stripe's default). */
export const DEFAULT_GRANT_PRIORITY = 50;
import type { PreparedRun } from './prepare.ts';
import { fieldPath, runProblem, type ProblemContext } from './problems.ts';

function misuse(detail: string): CreditbookError {
  return new CreditbookError([diagnostic({ code: 'C_UNKNOWN_REFERENCE', detail })]);
}

const CATEGORY: Record<LotSource, LotCategory> = {
  subscription: 'subscription',
  top_up: 'purchase',
  api_package: 'purchase',
  custom_package: 'purchase',
  promotional: 'free',
  daily_free: 'free',
};

/** The lot source of each pack of a catalog (top-up, API package or custom package). */
function packSources(cat: PlanCatalog): Map<string, { pack: Pack; source: LotSource }> {
  const out = new Map<string, { pack: Pack; source: LotSource }>();
  const lists: [Pack[] | undefined, LotSource][] = [
    [cat.top_ups, 'top_up'],
    [cat.api_packages, 'api_package'],
    [cat.custom_packages, 'custom_package'],
  ];
  for (const [list, source] of lists) for (const pack of list ?? []) if (!out.has(pack.id)) out.set(pack.id, { pack, source });
  return out;
}

/** The policy of a lot source; a source the policy does not name never expires and burns last. */
function sourcePolicy(pol: ValidityPolicy, src: LotSource): SourcePolicy {
  return pol.sources[src] ?? { priority: 99 };
}

/**
 * Creates every lot a run can have, in the order the ledger creates them: per period the
 * subscription's lot, daily free credits, promotional grants and the lot of each scheduled purchase
 * (every period has one: the quantity when it is due, else nothing), then (per pool) the auto top-up that a shortfall would buy. Validity and priority come from the policy in
 * force when the lot is granted; a lot's price is what was paid for it, when it was paid.
 * Runs with the same supply share what this returns (`planOf`): read nothing of the run that
 * `supplyKey` does not hold.
 */
export function planLots(p: PreparedRun, ctx: ProblemContext): LedgerPlan {
  const { eff, cal, catalogs, policies } = p;
  const H = cal.horizon;
  const problems: Diagnostic[] = [...p.problems];
  const tierId = eff.plan.subscription;
  const billing = eff.plan.billing ?? 'monthly';
  const pools: string[] = [...p.cardPools];
  const addPool = (pool: string) => {
    if (!pools.includes(pool)) pools.push(pool);
  };

  // Inputs: one per document version and field; labels name the version when a run uses several.
  const inputs = new Map<string, PlanInput>();
  const catalogVersions = new Set(catalogs.map((c) => c.version)).size;
  const policyVersions = new Set(policies.map((c) => c.version)).size;
  const input = (key: string, label: string, value: number, fmt: PlanInput['fmt'], name: string[], version: number, several: boolean): string => {
    const k = `${key}@${version}`;
    if (!inputs.has(k)) {
      inputs.set(k, several ? { key: k, label: `${label} (v${version})`, value, fmt, name: [...name, `v${version}`] } : { key: k, label, value, fmt, name });
    }
    return k;
  };
  const catInput = (cat: PlanCatalog, key: string, label: string, value: number, fmt: PlanInput['fmt'], name: string[]) =>
    input(key, label, value, fmt, name, cat.version, catalogVersions > 1);
  const qty = (key: string, times = 1): Quantity => ({ value: inputs.get(key)!.value * times, input: key, times });
  // Amounts of the same input recur every period: each distinct one is computed once per run.
  const amounts = new Map<string, MoneyAmount>();
  const moneyOf = (key: string, price: Money, times = 1, per = 1): MoneyAmount => {
    const k = `${key}\u0000${times}\u0000${per}`;
    let m = amounts.get(k);
    if (!m) {
      const v = money(price);
      amounts.set(k, (m = { value: times === 1 && per === 1 ? v : v.times(times).div(per), input: key, times, per }));
    }
    return m;
  };

  const unit = cal.granularity === 'day' ? 'days' : 'months';
  /** A lot's validity in periods: an input when it is the same for every lot of its kind (always, on a monthly calendar). */
  const validityOf = (pol: ValidityPolicy, v: Validity | undefined, granted: number, key: string, label: string): Quantity | undefined => {
    if (!v) return undefined;
    const periods = cal.validPeriods(v, granted);
    if (cal.granularity === 'day' && v.days === undefined) return { value: periods };
    const k = input(`validity:${key}`, `Validity of ${label} (${unit})`, periods, 'integer', ['validity', ...key.split(':')], pol.version, policyVersions > 1);
    return inputs.get(k)!.value === periods ? qty(k) : { value: periods };
  };
  const priorityOf = (pol: ValidityPolicy, src: LotSource): Quantity =>
    qty(
      input(
        `priority:${src}`,
        `Burn priority of ${src.replace('_', ' ')} credits (lower burns first)`,
        sourcePolicy(pol, src).priority,
        'integer',
        ['priority', src],
        pol.version,
        policyVersions > 1,
      ),
    );

  const lots: PlannedLot[] = [];
  const payments: Payment[] = [];
  // Rolled lots waiting for the period they are created in: the lot they roll out of and their generation.
  const rollsAt = new Map<number, { from: number; generation: number }[]>();
  const lot = (
    i: number,
    pool: string,
    source: LotSource,
    ref: string,
    amount: Quantity,
    price: MoneyAmount,
    validity: Quantity | undefined,
    extra: { auto?: AutoTopUp; priority?: Quantity; rollover?: RolledLot; scheduled?: ScheduledBuy } = {},
  ) => {
    addPool(pool);
    const pol = policies[i]!;
    const lastValid = validity ? i + validity.value - 1 : NEVER;
    lots.push({
      seq: lots.length + 1,
      pool,
      source,
      category: CATEGORY[source],
      ref,
      granted: i,
      validity,
      lastValid,
      priority: extra.priority ?? priorityOf(pol, source),
      amount,
      price,
      ...(extra.auto ? { auto: extra.auto } : {}),
      ...(extra.scheduled ? { scheduled: extra.scheduled } : {}),
      ...(extra.rollover ? { rollover: extra.rollover } : {}),
    });
    // Credits left when it ends roll on when the policy in force then says so, as many times in a row as it allows.
    // A lot ending in the last period rolls into a lot granted just past the horizon (held, not expired, when it ends).
    if (lastValid < H) {
      const terms = sourcePolicy(policies[lastValid]!, source).rollover;
      const generation = (extra.rollover?.generation ?? 0) + 1;
      if (terms && terms.max_credits !== 0 && (terms.share ?? 1) > 0 && generation <= (terms.max_rollovers ?? 1)) {
        const due = rollsAt.get(lastValid + 1) ?? [];
        due.push({ from: lots.length - 1, generation });
        rollsAt.set(lastValid + 1, due);
      }
    }
  };
  /** The lots that credits roll into in period i (first among the period's lots: they carry what was held before). */
  const rolledLots = (i: number) => {
    for (const { from, generation } of rollsAt.get(i) ?? []) {
      const origin = lots[from]!;
      const end = policies[i - 1]!;
      const sp = sourcePolicy(end, origin.source);
      const terms = sp.rollover!;
      const key = `rollover:${origin.source}`;
      const label = `${origin.source.replace('_', ' ')} credits rolled over`;
      const validity = validityOf(end, terms.validity ?? sp.validity, i, key, label);
      const priority: Quantity =
        terms.priority === undefined
          ? origin.priority
          : qty(
              input(
                `priority:${key}`,
                `Burn priority of ${label}`,
                terms.priority,
                'integer',
                ['priority', 'rollover', origin.source],
                end.version,
                policyVersions > 1,
              ),
            );
      const name = origin.source.replace('_', ' ');
      const share = terms.share ?? 1;
      const inputs = {
        share: input(
          `share|rollover:${origin.source}`,
          `Share of ${name} credits left that rolls over`,
          share,
          'percent',
          ['rollover', origin.source, 'share'],
          end.version,
          policyVersions > 1,
        ),
        ...(terms.max_credits === undefined
          ? {}
          : {
              cap: input(
                `rollover:cap:${origin.source}`,
                `Most ${name} credits that roll over`,
                terms.max_credits,
                'credits',
                ['rollover', origin.source, 'cap'],
                end.version,
                policyVersions > 1,
              ),
            }),
      };
      lot(i, origin.pool, origin.source, origin.ref, { value: 0 }, { value: ZERO }, validity, {
        priority,
        rollover: { from, share, cap: terms.max_credits, generation, inputs },
      });
    }
  };
  const packValidity = (i: number, src: LotSource, pack: Pack): Quantity | undefined => {
    const pol = policies[i]!;
    const sp = sourcePolicy(pol, src);
    const own = sp.per_package && pack.validity !== undefined;
    const v = own ? pack.validity : (sp.validity ?? pack.validity);
    const key = own || sp.validity === undefined ? `${src}:${pack.id}` : src;
    const label = own || sp.validity === undefined ? `pack ${pack.id}` : `${src.replace('_', ' ')} credits`;
    return validityOf(pol, v, i, key, label);
  };
  const packInputs = (cat: PlanCatalog, pack: Pack) => ({
    credits: catInput(cat, `pack:${pack.id}:credits`, `Pack ${pack.id}: credits`, pack.credits, 'credits', ['pack', pack.id, 'credits']),
    price: catInput(cat, `pack:${pack.id}:price`, `Pack ${pack.id}: price`, Number(pack.price), 'money', ['pack', pack.id, 'price']),
  });
  /** A tier's or pack's own burn priority (an input), when the catalog gives one: it wins over its source's. */
  const ownPriority = (cat: PlanCatalog, kind: 'tier' | 'pack', id: string, priority: number | undefined): { priority?: Quantity } =>
    priority === undefined
      ? {}
      : {
          priority: qty(
            catInput(cat, `priority:${kind}:${id}`, `Burn priority of ${kind} ${id} credits (lower burns first)`, priority, 'integer', ['priority', kind, id]),
          ),
        };
  const eligible = (pack: Pack) => !pack.eligible_tiers || (tierId !== undefined && pack.eligible_tiers.includes(tierId));

  const planPath = fieldPath(ctx, 'plan');
  const purchasesPath = fieldPath(ctx, 'purchases');
  const scheduled = eff.purchases.policy === 'scheduled' || eff.purchases.policy === 'auto' ? (eff.purchases.scheduled ?? []) : [];
  // When each scheduled purchase buys (a single purchase before the start is not part of the run).
  const schedules = scheduled.map((sp) => {
    const every = sp.every ?? 0;
    const first = firstInHorizon(cal.index(sp.period), every);
    return first === undefined ? undefined : { first, every };
  });
  /** A scheduled purchase's inputs: packs each time, its first period and every how many periods it is bought (0: once). */
  const scheduleInputs = (j: number, sp: ScheduledPurchase, when: { first: number; every: number }) => {
    const keys = { quantity: `scheduled:${j}:quantity`, first: `scheduled:${j}:first`, every: `scheduled:${j}:every` };
    if (!inputs.has(keys.quantity)) {
      const what = `Scheduled purchase ${j + 1}`;
      const name = ['scheduled', String(j + 1)];
      const set = (key: string, label: string, value: number, fmt: PlanInput['fmt'], word: string) =>
        inputs.set(key, { key, label, value, fmt, name: [...name, word] });
      set(keys.quantity, `${what}: packs of ${sp.pack} each time`, sp.quantity ?? 1, 'integer', 'quantity');
      set(keys.first, `${what}: first ${cal.granularity === 'day' ? 'day' : 'month'}`, when.first, 'period', 'first');
      set(keys.every, `${what}: every (${unit}; 0 = once)`, when.every, 'integer', 'every');
    }
    return keys;
  };
  const grantAt = eff.grants.map((g) => cal.index(g.period));
  const autoTopUp = eff.purchases.policy === 'auto' ? { value: 1, input: 'auto_topup', times: 1 } : undefined;
  if (autoTopUp)
    inputs.set('auto_topup', { key: 'auto_topup', label: 'Auto top-up on shortfall (1 = on, 0 = off)', value: 1, fmt: 'integer', name: ['auto_topup'] });

  let billed = 0;
  let yearPaid: MoneyAmount | undefined;
  let yearLot: { from: MoneyAmount; price: MoneyAmount } | undefined;
  let warnedYear = false;
  let tierCat: PlanCatalog | undefined;
  let tier: Subscription | undefined;
  let packs = new Map<string, { pack: Pack; source: LotSource }>();
  for (let i = 0; i < H; i++) {
    const cat = catalogs[i]!;
    const pol = policies[i]!;
    if (cat !== tierCat) {
      tierCat = cat;
      packs = packSources(cat);
      tier = tierId === undefined ? undefined : (cat.subscriptions ?? []).find((t) => t.id === tierId);
      if (tierId !== undefined && !tier) throw misuse(`subscription '${tierId}' is not in ${cat.id} v${cat.version}`);
    }
    rolledLots(i);
    // 1. The subscription bills and grants; daily free credits, grants and scheduled purchases.
    if (tier && cal.billingPeriod(i)) {
      let price: MoneyAmount;
      if (billing === 'annual') {
        if (billed % 12 === 0) {
          // A year is paid at its first billing, at the catalog in force then; its twelve lots share that price.
          if (tier.price_year !== undefined) {
            yearPaid = moneyOf(
              catInput(cat, `price_year:${tier.id}`, 'Subscription price per year', Number(tier.price_year), 'money', ['price_year']),
              tier.price_year,
            );
          } else {
            yearPaid = moneyOf(
              catInput(cat, `price_month:${tier.id}`, 'Subscription price per month', Number(tier.price_month), 'money', ['price_month']),
              tier.price_month,
              12,
            );
            if (!warnedYear) {
              problems.push(
                runProblem(
                  ctx,
                  'C_DEFAULT',
                  `${tier.id} has no price_year in ${cat.id} v${cat.version}; annual billing charges 12 × price_month`,
                  [...planPath, 'billing'],
                  { period: cal.label(i), severity: 'warning' },
                ),
              );
              warnedYear = true;
            }
          }
          payments.push({ period: i, pool: tier.pool, ref: tier.id, amount: yearPaid });
        }
        if (!yearLot || yearLot.from !== yearPaid) {
          const y = yearPaid!;
          yearLot = { from: y, price: { value: y.value.div(12), input: y.input!, times: y.times ?? 1, per: (y.per ?? 1) * 12 } };
        }
        price = yearLot.price;
      } else {
        price = moneyOf(
          catInput(cat, `price_month:${tier.id}`, 'Subscription price per month', Number(tier.price_month), 'money', ['price_month']),
          tier.price_month,
        );
        payments.push({ period: i, pool: tier.pool, ref: tier.id, amount: price });
      }
      billed++;
      if (tier.credits_per_month > 0) {
        const credits = qty(
          catInput(cat, `credits_per_month:${tier.id}`, 'Subscription credits per month', tier.credits_per_month, 'credits', ['credits_per_month']),
        );
        lot(
          i,
          tier.pool,
          'subscription',
          tier.id,
          credits,
          price,
          validityOf(pol, sourcePolicy(pol, 'subscription').validity, i, 'subscription', 'subscription credits'),
          ownPriority(cat, 'tier', tier.id, tier.priority),
        );
      }
    }
    const free = cat.daily_free;
    const freeApplies = free && (eff.plan.daily_free ?? (tierId !== undefined && free.tiers.includes(tierId)));
    if (free && freeApplies && free.credits_per_day > 0) {
      const perDay = catInput(cat, 'daily_free', 'Daily free credits per day', free.credits_per_day, 'credits', ['daily_free']);
      const v = sourcePolicy(pol, 'daily_free').validity ?? { days: 1 };
      lot(i, free.pool, 'daily_free', 'daily_free', qty(perDay, cal.days(i)), { value: ZERO }, validityOf(pol, v, i, 'daily_free', 'daily free credits'));
    }
    for (let j = 0; j < eff.grants.length; j++) {
      const g = eff.grants[j]!;
      if (g.credits === 0 || grantAt[j] !== i) continue;
      inputs.set(`grant:${j}`, {
        key: `grant:${j}`,
        label: `Promotional grant ${j + 1}: ${g.period}, ${g.pool} (credits)`,
        value: g.credits,
        fmt: 'credits',
        name: ['grant', String(j + 1)],
      });
      // A grant's own end (expires_at or last_valid) wins over the policy's validity; its own priority over its source's.
      const end = lastValidOf(cal, g);
      if (end !== undefined && end < i) continue;
      const validity =
        end !== undefined ? { value: end - i + 1 } : validityOf(pol, sourcePolicy(pol, 'promotional').validity, i, 'promotional', 'promotional credits');
      const own = g.priority ?? (pol.sources.promotional ? undefined : DEFAULT_GRANT_PRIORITY);
      const priority =
        own === undefined
          ? undefined
          : qty(input(`priority:grant:${j}`, `Burn priority of promotional grant ${j + 1}`, own, 'integer', ['priority', 'grant', String(j + 1)], 0, false));
      lot(i, g.pool, 'promotional', 'promotional', qty(`grant:${j}`), { value: ZERO }, validity, priority ? { priority } : {});
    }
    // 3. Scheduled purchases: a lot in every period the pack is offered, with the quantity when the period is due (else 0).
    for (let j = 0; j < scheduled.length; j++) {
      const sp = scheduled[j]!;
      const when = schedules[j];
      if (!when) continue;
      const due = isDue(i, when.first, when.every);
      const found = packs.get(sp.pack);
      if (!found) {
        if (due) throw misuse(`pack '${sp.pack}' is not in ${cat.id} v${cat.version}`);
        continue;
      }
      const { pack, source } = found;
      if (!eligible(pack)) {
        if (due)
          problems.push(
            runProblem(ctx, 'C_PURCHASE', `${pack.id} is not available to tier '${tierId ?? 'none'}'`, [...purchasesPath, 'scheduled', j], {
              period: cal.label(i),
            }),
          );
        continue;
      }
      const ins = packInputs(cat, pack);
      const credits = qty(ins.credits);
      const price = moneyOf(ins.price, pack.price);
      const keys = scheduleInputs(j, sp, when);
      const n = due ? inputs.get(keys.quantity)!.value : 0;
      lot(i, pack.pool, source, pack.id, { value: credits.value * n }, { value: n === 0 ? ZERO : price.value.times(n) }, packValidity(i, source, pack), {
        ...ownPriority(cat, 'pack', pack.id, pack.priority),
        scheduled: { purchase: j, credits, price, inputs: keys },
      });
    }
    if (i === 0) for (const pool of p.demand.keys()) addPool(pool);
    // 4. The auto top-ups each pool may need (bought only on a shortfall or below the threshold): one lot per pack it may buy.
    if (autoTopUp) {
      for (const pool of [...pools]) {
        const ids = [eff.purchases.packs?.[pool] ?? eff.purchases.pack, ...(eff.purchases.pack_options ?? [])];
        const seen = new Set<string>();
        for (const packId of ids) {
          const found = packId === undefined ? undefined : packs.get(packId);
          if (!found || found.pack.pool !== pool || seen.has(found.pack.id)) continue;
          seen.add(found.pack.id);
          const { pack, source } = found;
          const ins = packInputs(cat, pack);
          const auto: AutoTopUp = { pack: pack.id, credits: qty(ins.credits), price: moneyOf(ins.price, pack.price), eligible: eligible(pack) };
          lot(i, pool, source, pack.id, { value: 0 }, { value: ZERO }, packValidity(i, source, pack), {
            auto,
            ...ownPriority(cat, 'pack', pack.id, pack.priority),
          });
        }
      }
    }
  }
  rolledLots(H);
  const burnOrder: (readonly BurnKey[])[] = policies.map((pol) => completeBurnOrder(pol.burn_order));
  const pu = eff.purchases;
  const threshold = pu.trigger === 'threshold' ? (pu.threshold ?? 0) : 0;
  const topUpInput = (key: string, label: string, value: number, fmt: PlanInput['fmt']) => {
    inputs.set(key, { key, label, value, fmt, name: key.split(':') });
    return key;
  };
  const target = pu.trigger === 'threshold' ? Math.max(threshold, pu.target ?? threshold) : 0;
  const topUpInputs = !autoTopUp
    ? {}
    : {
        ...(pu.trigger === 'threshold'
          ? {
              threshold: topUpInput('topup:threshold', 'Auto top-up: buy when the balance is below (credits)', threshold, 'credits'),
              target: topUpInput('topup:target', 'Auto top-up: buy up to (credits)', target, 'credits'),
            }
          : {}),
        ...(pu.max_packs_per_period !== undefined
          ? { maxPacks: topUpInput('topup:max_packs', 'Auto top-up: most packs per period', pu.max_packs_per_period, 'integer') }
          : {}),
        ...(pu.monthly_spend_limit !== undefined
          ? { spendLimit: topUpInput('topup:spend_limit', 'Auto top-up: most spent per month', Number(pu.monthly_spend_limit), 'money') }
          : {}),
      };
  const topUp: TopUpPolicy | undefined = autoTopUp
    ? {
        inputs: topUpInputs,
        trigger: pu.trigger ?? 'shortfall',
        threshold,
        target,
        checkStart: pu.trigger === 'threshold' && pu.check === 'period_start',
        maxPacks: pu.max_packs_per_period,
        spendLimit: pu.monthly_spend_limit === undefined ? undefined : money(pu.monthly_spend_limit),
      }
    : undefined;
  const overdraft = policies.map((pol): Quantity => {
    const limit = pol.overdraft?.limit ?? 0;
    if (limit === 0) return { value: 0 };
    return qty(input('overdraft', 'Overdraft limit per pool (credits)', limit, 'credits', ['overdraft', 'limit'], pol.version, policyVersions > 1));
  });
  return {
    run: ctx.run,
    eff,
    cal,
    currency: p.currency,
    pools,
    inputs,
    lots,
    payments,
    demand: p.demand,
    seconds: p.seconds,
    demandRows: p.demandRows,
    burnOrder,
    autoTopUp,
    topUp,
    overdraft,
    problems,
    uses: p.uses,
    plan: { catalog: eff.plan.catalog, subscription: tierId ?? null, billing },
    context: ctx,
  };
}
