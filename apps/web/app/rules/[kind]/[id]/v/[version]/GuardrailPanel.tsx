import Link from 'next/link';
import type { Guardrail } from '@creditbook/engine';
import { fmtInt } from '@/components/format.ts';
import { Histogram } from '@/components/Histogram.tsx';
import type { PublishGuardrail } from '@/lib/guardrail.ts';

const pct = (x: number | null) => (x === null ? '—' : `${x > 0 ? '+' : ''}${x.toFixed(2)}%`);
const cls = (x: number | null) => (x === null || x === 0 ? 'zero' : x > 0 ? 'pos' : 'neg');

const LIMIT_LABELS: Record<keyof Guardrail, string> = {
  p50_increase_pct: 'p50 per-customer',
  p90_increase_pct: 'p90 per-customer',
  p95_increase_pct: 'p95 per-customer',
  p99_increase_pct: 'p99 per-customer',
  max_increase_pct: 'largest per-customer',
  total_increase_pct: 'total',
};

/** The draft's backtest on the loaded usage against the version in force, and where it stands against the card's guardrail. */
export function GuardrailPanel({ check }: { check: PublishGuardrail }) {
  const limits = check.guardrail ? (Object.entries(check.guardrail) as [keyof Guardrail, number][]) : [];
  const r = check.backtest;
  return (
    <div className="stack" style={{ marginBottom: 16 }} data-testid="guardrail">
      <h3>
        Backtest on the loaded usage: v{check.against} → v{check.version}
      </h3>
      <p className="small muted" data-testid="guardrail-limits">
        {limits.length > 0
          ? `Guardrail: publishing needs an approver's override with a reason when the increase is over ${limits.map(([k, v]) => `${v}% (${LIMIT_LABELS[k]})`).join(', ')}.`
          : 'No guardrail: neither this draft nor the version in force sets one (a `guardrail` block in the card).'}
      </p>
      {check.usage_events === 0 ? (
        <p className="notice info" data-testid="guardrail-no-usage">
          No usage loaded, so there is nothing to backtest{limits.length > 0 ? ' and the guardrail is not checked' : ''}. Upload events on the{' '}
          <Link href="/backtest">Backtest</Link> page.
        </p>
      ) : null}
      {check.problems.length > 0 ? (
        <div className="notice error" role="alert" data-testid="guardrail-problems">
          {check.problems.map((p, i) => (
            <div key={i} className="mono small">
              {p}
            </div>
          ))}
        </div>
      ) : null}
      {r ? (
        <>
          <div className="kpis" data-testid="guardrail-totals">
            <div className="kpi">
              <div className="k">Events</div>
              <div className="v" data-key="events">{fmtInt(r.totals.events)}</div>
              <div className="d muted">{fmtInt(r.totals.unpriced_events)} unpriced</div>
            </div>
            <div className="kpi">
              <div className="k">Customers</div>
              <div className="v" data-key="customers">{fmtInt(r.totals.customers)}</div>
              <div className="d muted">v{r.to} reaches {fmtInt(r.totals.reached_customers)}</div>
            </div>
            <div className="kpi">
              <div className="k">Revenue effect (credits spent)</div>
              <div className="v" data-key="credits">
                {fmtInt(r.totals.credits_from)} → {fmtInt(r.totals.credits_to)}
              </div>
              <div className={`d ${cls(r.totals.delta)}`} data-key="delta">
                {fmtInt(r.totals.delta)} ({pct(r.totals.delta_pct)})
              </div>
            </div>
          </div>
          <p className="small muted" data-testid="guardrail-distribution">
            Change per customer ({fmtInt(r.distribution.customers)} customers): p50 {pct(r.distribution.p50)} · p90 {pct(r.distribution.p90)} · p95{' '}
            {pct(r.distribution.p95)} · p99 {pct(r.distribution.p99)} · max {pct(r.distribution.max)}
          </p>
          {r.customers ? (
            <Histogram
              values={r.customers.map((c) => c.delta_pct).filter((x): x is number => x !== null)}
              label={`per-customer change from v${r.from} to v${r.to}`}
            />
          ) : null}
          {r.most_affected.length > 0 ? (
            <table className="data" data-testid="guardrail-most">
              <thead>
                <tr>
                  <th>Most affected</th>
                  <th className="num">v{r.from}</th>
                  <th className="num">v{r.to}</th>
                  <th className="num">Δ</th>
                  <th className="num">%</th>
                </tr>
              </thead>
              <tbody>
                {r.most_affected.slice(0, 10).map((c) => (
                  <tr key={c.customer}>
                    <td>{c.customer}</td>
                    <td className="num">{fmtInt(c.credits_from)}</td>
                    <td className="num">{fmtInt(c.credits_to)}</td>
                    <td className={`num ${cls(c.delta)}`}>{fmtInt(c.delta)}</td>
                    <td className={`num ${cls(c.delta_pct)}`}>{pct(c.delta_pct)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          ) : null}
        </>
      ) : null}
      {check.needs_override ? (
        <div className="notice error" role="alert" data-testid="guardrail-breached">
          <strong>Over the guardrail:</strong> {check.breaches.join('; ')}. Publishing needs an approver&apos;s override with a reason, recorded in the audit trail.
        </div>
      ) : limits.length > 0 && r ? (
        <p className="notice info" data-testid="guardrail-within">
          Within the guardrail.
        </p>
      ) : null}
    </div>
  );
}
