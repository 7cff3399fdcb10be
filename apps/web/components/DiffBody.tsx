import type { FieldChange, PriceChange } from '@creditbook/engine';
import type { DocumentDiff, ScenarioImpact } from '@/lib/impact.ts';
import type { DiffLine } from '@/lib/textdiff.ts';
import { deltaClass, fmtInt, fmtMoney, fmtSigned } from './format.ts';

const describe = (r: Record<string, string | number>) =>
  Object.entries(r)
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(' · ');

/** Every changed price cell: old, new, difference and percentage. */
export function PriceChanges({ changes, a, b }: { changes: PriceChange[]; a: number; b: number }) {
  if (changes.length === 0)
    return (
      <p className="muted" data-testid="no-price-changes">
        No price cell differs between v{a} and v{b}.
      </p>
    );
  return (
    <table className="data" data-testid="price-changes">
      <thead>
        <tr>
          <th>Request</th>
          <th className="num">v{a}</th>
          <th className="num">v{b}</th>
          <th className="num">Change</th>
          <th className="num">%</th>
        </tr>
      </thead>
      <tbody>
        {changes.map((c) => {
          const d = c.old !== null && c.new !== null ? c.new - c.old : null;
          return (
            <tr key={JSON.stringify(c.request)} data-testid="price-change">
              <td className="mono small">{describe(c.request)}</td>
              <td className="num" data-testid="old">
                {c.old === null ? <span className="muted">not priced</span> : fmtInt(c.old)}
              </td>
              <td className="num" data-testid="new">
                {c.new === null ? <span className="muted">not priced</span> : fmtInt(c.new)}
              </td>
              <td className={`num ${d === null ? '' : deltaClass(d)}`}>{d === null ? '—' : fmtSigned(d)}</td>
              <td className={`num ${d === null ? '' : deltaClass(d)}`} data-testid="pct">
                {c.pct === null ? '—' : `${Number(c.pct) > 0 ? '+' : ''}${c.pct}%`}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

/** What the change does to the bundled reference scenarios: credits, spend and the books, before and after. */
export function ImpactTable({ impact, a, b }: { impact: ScenarioImpact[]; a: number; b: number }) {
  if (impact.length === 0)
    return (
      <p className="muted" data-testid="no-impact">
        No bundled scenario uses this document.
      </p>
    );
  return (
    <table className="data" data-testid="impact">
      <thead>
        <tr>
          <th>Scenario</th>
          <th className="num sep">Demand v{a}</th>
          <th className="num">Demand v{b}</th>
          <th className="num">Change</th>
          <th className="num sep">Unmet v{a}</th>
          <th className="num">Unmet v{b}</th>
          <th className="num sep">Spend v{a}</th>
          <th className="num">Spend v{b}</th>
          <th className="num">Change</th>
          <th className="num sep">Revenue v{a}</th>
          <th className="num">Revenue v{b}</th>
          <th className="num">Change</th>
          <th className="num sep">Deferred revenue v{a}</th>
          <th className="num">Deferred revenue v{b}</th>
        </tr>
      </thead>
      <tbody>
        {impact.map((s) => {
          if (!s.before || !s.after) {
            return (
              <tr key={s.scenario}>
                <td>{s.title}</td>
                <td colSpan={13} className="pos wrap">
                  {s.problem}
                </td>
              </tr>
            );
          }
          const dc = s.after.demand - s.before.demand;
          const ds = Number(s.after.spend) - Number(s.before.spend);
          // A side that could not price some demand leaves those credits out: its figures are not comparable.
          const invalid = s.before.unpriced + s.after.unpriced > 0;
          const dr = Number(s.after.revenue) - Number(s.before.revenue);
          return (
            <tr
              key={s.scenario}
              data-testid={`impact-${s.scenario}`}
              data-invalid={invalid ? 'true' : undefined}
              className={invalid ? 'invalid-run' : undefined}
            >
              <td>
                {s.title} <span className="muted small">({s.use}, base run)</span>
                {invalid ? (
                  <div className="run-problems" data-testid="impact-invalid">
                    <strong>Not comparable:</strong>{' '}
                    {s.before.unpriced > 0 ? `v${a} cannot price ${s.before.unpriced} demand line${s.before.unpriced === 1 ? '' : 's'}. ` : ''}
                    {s.after.unpriced > 0 ? `v${b} cannot price ${s.after.unpriced} demand line${s.after.unpriced === 1 ? '' : 's'}. ` : ''}
                    {[...s.before.problems, ...s.after.problems].slice(0, 2).map((p, i) => (
                      <div key={i} className="small">
                        {p}
                      </div>
                    ))}
                  </div>
                ) : null}
              </td>
              <td className="num sep">{fmtInt(s.before.demand)}</td>
              <td className="num">{fmtInt(s.after.demand)}</td>
              <td className={`num ${invalid ? '' : deltaClass(dc)}`} data-testid="demand-delta">
                {invalid ? '—' : fmtSigned(dc)}
              </td>
              <td className="num sep">{fmtInt(s.before.unmet)}</td>
              <td className="num">{fmtInt(s.after.unmet)}</td>
              <td className="num sep">{fmtMoney(s.before.spend)}</td>
              <td className="num">{fmtMoney(s.after.spend)}</td>
              <td className={`num ${invalid ? '' : deltaClass(ds)}`} data-testid="spend-delta">
                {invalid ? '—' : fmtSigned(ds, fmtMoney)}
              </td>
              <td className="num sep" data-testid="revenue-before">
                {fmtMoney(s.before.revenue)}
              </td>
              <td className="num" data-testid="revenue-after">
                {fmtMoney(s.after.revenue)}
              </td>
              <td className={`num ${invalid ? '' : deltaClass(dr, false)}`} data-testid="revenue-delta">
                {invalid ? '—' : fmtSigned(dr, fmtMoney)}
              </td>
              <td className="num sep" data-testid="deferred-before">
                {fmtMoney(s.before.deferred_closing)}
              </td>
              <td className="num" data-testid="deferred-after">
                {fmtMoney(s.after.deferred_closing)}
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

const showValue = (v: unknown) => (v === null || v === undefined ? <span className="muted">—</span> : typeof v === 'number' ? fmtInt(v) : String(v));

/** Every changed value of a document (any kind): old, new and %. */
export function FieldChanges({ fields, a, b }: { fields: FieldChange[]; a: number; b: number }) {
  if (fields.length === 0)
    return (
      <p className="muted" data-testid="no-field-changes">
        No value differs between v{a} and v{b}.
      </p>
    );
  return (
    <table className="data" data-testid="field-changes">
      <thead>
        <tr>
          <th>Value</th>
          <th className="num">v{a}</th>
          <th className="num">v{b}</th>
          <th className="num">%</th>
        </tr>
      </thead>
      <tbody>
        {fields.map((f) => (
          <tr key={f.path} data-testid="field-change" data-path={f.path}>
            <td className="mono small wrap">{f.path}</td>
            <td className="num wrap" data-testid="old">
              {showValue(f.old)}
            </td>
            <td className="num wrap" data-testid="new">
              {showValue(f.new)}
            </td>
            <td className={`num ${f.pct === null ? '' : deltaClass(Number(f.pct))}`} data-testid="pct">
              {f.pct === null ? '—' : `${Number(f.pct) > 0 ? '+' : ''}${f.pct}%`}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** A diff's structured parts: changed price cells (rate cards), every changed value, and the impact on the reference scenarios. */
const share = (x: number | null) => (x === null ? '—' : `${x.toFixed(2)}%`);
const REACH_WORDS = { all: 'every customer', new_customers: 'new customers only', next_renewal: 'existing customers from their next renewal' } as const;

/** Whom a card change reaches in the loaded usage: customers and generations whose price changes. */
function UsageReachLine({ reach, b }: { reach: NonNullable<DocumentDiff['usage_reach']>; b: number }) {
  if (!reach.ok)
    return (
      <div className="notice error" data-testid="usage-reach">
        The reach of this change on the loaded usage cannot be measured: {reach.problems.join('; ')}
      </div>
    );
  return (
    <div className="panel" data-testid="usage-reach">
      <h2>Reach on the loaded usage</h2>
      <p>
        The change reaches{' '}
        <strong data-key="customers">
          {fmtInt(reach.changed_customers)} of {fmtInt(reach.customers)} customers ({share(reach.customers_pct)})
        </strong>{' '}
        and{' '}
        <strong data-key="volume">
          {fmtInt(reach.changed_generations)} of {fmtInt(reach.generations)} generations ({share(reach.generations_pct)})
        </strong>{' '}
        of the volume ({fmtInt(reach.changed_events)} of {fmtInt(reach.events)} events): those whose price differs between the versions, among whom v{b} reaches
        ({REACH_WORDS[reach.reach]}).
      </p>
    </div>
  );
}

export function DiffSections({ diff }: { diff: DocumentDiff }) {
  const { a, b } = diff;
  return (
    <>
      {diff.changes ? (
        <div className="panel flush">
          <div className="panel-head">
            <h2>
              Changed price cells <span className="muted">({diff.changes.length})</span>
            </h2>
            <span className="small muted">every request the card allows, priced by both versions</span>
          </div>
          <PriceChanges changes={diff.changes} a={a} b={b} />
        </div>
      ) : null}
      {diff.usage_reach ? <UsageReachLine reach={diff.usage_reach} b={b} /> : null}
      <div className="panel flush">
        <div className="panel-head">
          <h2>
            Changed values <span className="muted">({diff.fields.length})</span>
          </h2>
          <span className="small muted">prices, credits, validities and every other value, by path</span>
        </div>
        <FieldChanges fields={diff.fields} a={a} b={b} />
      </div>
      <div className="panel flush">
        <div className="panel-head">
          <h2>Impact on the reference scenarios</h2>
          <span className="small muted">
            Each scenario&apos;s base run under v{a}, then under v{b}.
          </span>
        </div>
        <ImpactTable impact={diff.impact} a={a} b={b} />
      </div>
    </>
  );
}

/** The source's line diff, with unchanged stretches folded. */
export function LineDiff({ lines }: { lines: DiffLine[] }) {
  const keep = new Set<number>();
  lines.forEach((l, i) => {
    if (l.op !== ' ') for (let k = Math.max(0, i - 2); k <= Math.min(lines.length - 1, i + 2); k++) keep.add(k);
  });
  if (keep.size === 0) return <p className="muted">The sources are identical.</p>;
  const out: React.ReactNode[] = [];
  let skipped = 0;
  lines.forEach((l, i) => {
    if (!keep.has(i)) {
      skipped++;
      return;
    }
    if (skipped > 0) {
      out.push(
        <div key={`s${i}`} className="diff-line muted">
          {' '}
          ⋯ {skipped} unchanged line{skipped === 1 ? '' : 's'}
        </div>,
      );
      skipped = 0;
    }
    out.push(
      <div key={i} className={`diff-line ${l.op === '+' ? 'add' : l.op === '-' ? 'del' : ''}`}>
        <span className="ln">{l.a ?? ''}</span>
        <span className="ln">{l.b ?? ''}</span>
        {l.op} {l.text}
      </div>,
    );
  });
  if (skipped > 0)
    out.push(
      <div key="end" className="diff-line muted">
        {' '}
        ⋯ {skipped} unchanged line{skipped === 1 ? '' : 's'}
      </div>,
    );
  return <div style={{ overflowX: 'auto', padding: '6px 0' }}>{out}</div>;
}
