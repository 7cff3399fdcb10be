import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { xoroshiro128plus } from 'pure-rand/generator/xoroshiro128plus';
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { calendar, compileCard, profileCount, type RuleSet, type Scenario } from '@creditbook/engine';

export interface SampleOptions {
  /** Customers to generate (default 60), spread over the bundled scenarios as templates. */
  customers?: number;
  /** RNG seed (default 1): the same seed writes the same files. */
  seed?: number;
}

/** One generated customer: the scenario it follows and its own plan, start and demand scale. */
export interface SampleCustomer {
  customer: string;
  scenario: string;
  plan: string;
  billing: 'monthly' | 'annual';
  start: string;
  scale: number;
}

export const SAMPLE_EVENT_COLUMNS = ['customer', 'time', 'model', 'mode', 'duration_s', 'resolution', 'pool', 'count', 'audio'] as const;

type Rng = ReturnType<typeof xoroshiro128plus>;

/** exp of a normal draw (Box-Muller): a customer's demand relative to the template, median 1. */
function logNormal(rng: Rng, sigma: number): number {
  const u = Math.max(uniformFloat64(rng), 1e-12);
  const v = uniformFloat64(rng);
  return Math.exp(sigma * Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v));
}

function addMonths(period: string, n: number): string {
  const [y, m] = period.split('-').map(Number) as [number, number];
  const i = y * 12 + (m - 1) + n;
  return `${Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, '0')}`;
}

function daysIn(period: string): number {
  const [y, m] = period.split('-').map(Number) as [number, number];
  return new Date(Date.UTC(y, m, 0)).getUTCDate();
}

const csvField = (v: string | number | undefined): string => {
  if (v === undefined) return '';
  const s = String(v);
  return /[",\n\r]/.test(s) ? `"${s.replaceAll('"', '""')}"` : s;
};

/**
 * Writes a realistic, seeded usage sample for the bundled scenarios: each customer follows one
 * scenario's demand lines (profiles, bursts, seasons) scaled by a log-normal factor, joins up to
 * five months after the scenario starts, and generates one event per generation at a random time
 * in the month, every request as the card in force that day completes it. Also writes the
 * customers file (customer, plan, billing, start) a wallet replay reads.
 */
export async function writeSample(
  rules: RuleSet,
  eventsPath: string,
  customersPath: string,
  options: SampleOptions = {},
): Promise<{ events: number; customers: SampleCustomer[] }> {
  const rng = xoroshiro128plus(options.seed ?? 1);
  const templates = rules
    .ids('Scenario')
    .map((id) => rules.latest('Scenario', id)!.doc)
    .filter((s) => (s.granularity ?? 'month') === 'month');
  if (templates.length === 0) throw new Error('the rule store has no monthly scenario to base a sample on');
  const count = options.customers ?? 60;
  const customers: SampleCustomer[] = [];
  for (let i = 0; i < count; i++) {
    const t = templates[i % templates.length]!;
    customers.push({
      customer: `cust-${String(i + 1).padStart(4, '0')}`,
      scenario: t.id,
      plan: t.plan.subscription ?? '',
      billing: t.plan.billing ?? 'monthly',
      start: addMonths(t.start, uniformInt(rng, 0, 5)),
      // API integrations are large: scale them down so the sample stays small.
      scale: logNormal(rng, 0.6) * (t.demand.some((d) => d.pool === 'api') ? 0.05 : 1),
    });
  }
  const out = createWriteStream(eventsPath);
  const write = async (line: string) => {
    if (!out.write(line)) await once(out, 'drain');
  };
  await write(SAMPLE_EVENT_COLUMNS.join(',') + '\n');
  let events = 0;
  const byId = new Map(templates.map((t) => [t.id, t] as const));
  const compiled = new Map<string, ReturnType<typeof compileCard>>();
  for (const c of customers) {
    const t = byId.get(c.scenario) as Scenario;
    const cal = calendar(t.start, t.horizon, 'month');
    const startIndex = cal.index(c.start);
    const rows: { time: string; cells: string }[] = [];
    for (let p = startIndex; p < t.horizon; p++) {
      const period = cal.label(p);
      for (const line of t.demand) {
        const pool = line.pool ?? Object.keys(t.rules.cards)[0] ?? 'consumer';
        const cardId = t.rules.cards[pool];
        if (!cardId) continue;
        const n = Math.round(profileCount(line, cal, p) * c.scale * (0.7 + 0.6 * uniformFloat64(rng)));
        for (let k = 0; k < n; k++) {
          const day = uniformInt(rng, 1, daysIn(period));
          const date = `${period}-${String(day).padStart(2, '0')}`;
          const card = rules.inForce('RateCard', cardId, date);
          if (!card) continue;
          const key = `${card.doc.id}/${card.doc.version}`;
          if (!compiled.has(key)) compiled.set(key, compileCard(card.doc));
          // Once 2.5 Turbo exists, a third of Master and 2.1 pro work moves to it, as the brief's users did.
          let request = line.request;
          const turbo = card.doc.dimensions['model']?.values?.includes('kling-v2-5-turbo') ?? false;
          if (
            turbo &&
            (request['model'] === 'kling-v2-1-master' || request['mode'] === 'pro') &&
            request['model'] !== 'kling-v3' &&
            uniformFloat64(rng) < 1 / 3
          ) {
            request = { ...request, model: 'kling-v2-5-turbo', mode: 'pro' };
          }
          const norm = compiled.get(key)!.normalize(request);
          const r = norm.ok ? norm.request : request;
          const seconds = uniformInt(rng, 0, 86_399);
          const time = `${date}T${String(Math.floor(seconds / 3600)).padStart(2, '0')}:${String(Math.floor(seconds / 60) % 60).padStart(2, '0')}:${String(seconds % 60).padStart(2, '0')}Z`;
          const cells = [r['model'], r['mode'], r['duration_s'], r['resolution'], pool, 1, r['audio']].map(csvField).join(',');
          rows.push({ time, cells });
        }
      }
    }
    rows.sort((a, b) => (a.time < b.time ? -1 : a.time > b.time ? 1 : 0));
    for (const r of rows) await write(`${c.customer},${r.time},${r.cells}\n`);
    events += rows.length;
  }
  out.end();
  await once(out, 'finish');
  const lines = ['customer,plan,billing,start', ...customers.map((c) => [c.customer, c.plan, c.billing, c.start].map(csvField).join(','))];
  const cw = createWriteStream(customersPath);
  cw.end(lines.join('\n') + '\n');
  await once(cw, 'finish');
  return { events, customers };
}
