import type { Guardrail, RateCard } from '@creditbook/engine';
import type { BacktestResult } from './backtest.ts';

/** One limit of a guardrail that a backtest is over. */
export interface GuardrailBreach {
  limit: keyof Guardrail;
  /** What the backtest shows (per cent, two places). */
  value: number;
  /** The limit (per cent). */
  max: number;
  /** The breach in words, as the trail records it: "p95 per-customer change +20.00% over 10%". */
  text: string;
}

const LIMITS: readonly { limit: keyof Guardrail; label: string; value: (r: BacktestResult) => number | null }[] = [
  { limit: 'p50_increase_pct', label: 'p50 per-customer change', value: (r) => r.distribution.p50 },
  { limit: 'p90_increase_pct', label: 'p90 per-customer change', value: (r) => r.distribution.p90 },
  { limit: 'p95_increase_pct', label: 'p95 per-customer change', value: (r) => r.distribution.p95 },
  { limit: 'p99_increase_pct', label: 'p99 per-customer change', value: (r) => r.distribution.p99 },
  { limit: 'max_increase_pct', label: 'largest per-customer change', value: (r) => r.distribution.max },
  { limit: 'total_increase_pct', label: 'total credits change', value: (r) => r.totals.delta_pct },
];

/**
 * The guardrail a draft is judged by: each limit of the version in force and of the draft, the
 * stricter where both have it (a draft cannot loosen the guardrail it is published under).
 */
export function guardrailOf(cards: readonly Pick<RateCard, 'guardrail'>[]): Guardrail | undefined {
  const out: Guardrail = {};
  for (const { limit } of LIMITS) {
    const set = cards.map((c) => c.guardrail?.[limit]).filter((v): v is number => v !== undefined);
    if (set.length > 0) out[limit] = Math.min(...set);
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

const pct = (v: number) => `${v > 0 ? '+' : ''}${v.toFixed(2)}%`;

/** The limits of a guardrail a backtest is over (strictly above; a figure that does not exist breaches nothing). */
export function guardrailBreaches(guardrail: Guardrail, result: BacktestResult): GuardrailBreach[] {
  const out: GuardrailBreach[] = [];
  for (const { limit, label, value } of LIMITS) {
    const max = guardrail[limit];
    const v = value(result);
    if (max === undefined || v === null || v <= max) continue;
    out.push({ limit, value: v, max, text: `${label} ${pct(v)} over ${max}%` });
  }
  return out;
}
