'use client';
import { useEffect, useState } from 'react';
import type { BacktestResult } from '@creditbook/usage';
import { Histogram } from '@/components/Histogram.tsx';
import { ProblemList, type ShownProblem } from '@/components/ProblemList.tsx';

export interface CardVersions {
  id: string;
  versions: { version: number; status: string; effective_from: string }[];
}

/** The JSON of GET /api/backtest (the same as `creditbook backtest --json`). */
type BacktestJson = BacktestResult;

interface Summary {
  events: number;
  customers: number;
  first: string | null;
  last: string | null;
  imports: { file: string; rows: number; imported_at: string }[];
}

const n = (x: number) => x.toLocaleString('en-US');
const pct = (x: number | null) => (x === null ? '—' : `${x > 0 ? '+' : ''}${x.toFixed(2)}%`);
const cls = (x: number | null) => (x === null || x === 0 ? 'zero' : x > 0 ? 'pos' : 'neg');

/** Uploads a CSV with XMLHttpRequest, which reports upload progress (fetch does not). */
function upload(file: File, onProgress: (fraction: number) => void): Promise<{ status: number; body: unknown }> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', `/api/usage?name=${encodeURIComponent(file.name)}`);
    xhr.setRequestHeader('content-type', 'text/csv');
    xhr.upload.onprogress = (e) => e.lengthComputable && onProgress(e.loaded / e.total);
    xhr.onload = () => resolve({ status: xhr.status, body: JSON.parse(xhr.responseText || '{}') as unknown });
    xhr.onerror = () => reject(new Error('the upload failed'));
    xhr.send(file);
  });
}

/** Upload usage, pick a card and two versions, and see the backtest with its histogram. */
export function Backtest({ cards, canUpload }: { cards: CardVersions[]; canUpload: boolean }) {
  const [summary, setSummary] = useState<Summary | null>(null);
  const [cardId, setCardId] = useState(cards[0]?.id ?? '');
  const card = cards.find((c) => c.id === cardId) ?? cards[0];
  const versions = card?.versions ?? [];
  const [from, setFrom] = useState(String(versions[Math.max(0, versions.length - 2)]?.version ?? 1));
  const [to, setTo] = useState(String(versions[versions.length - 1]?.version ?? 1));
  const [between, setBetween] = useState('');
  const [result, setResult] = useState<BacktestJson | null>(null);
  const [errors, setErrors] = useState<ShownProblem[]>([]);
  const [busy, setBusy] = useState(false);
  const [progress, setProgress] = useState<number | null>(null);
  const [uploaded, setUploaded] = useState<string | null>(null);

  const refresh = async () => {
    const r = await fetch('/api/usage');
    if (r.ok) setSummary((await r.json()) as Summary);
  };
  useEffect(() => {
    void refresh();
  }, []);

  const run = async () => {
    setBusy(true);
    setErrors([]);
    const q = new URLSearchParams({ card: cardId, from, to, per_customer: '1' });
    if (between.trim() !== '') q.set('between', between.trim());
    const r = await fetch(`/api/backtest?${q.toString()}`);
    const body = (await r.json()) as BacktestJson & { errors?: ShownProblem[] };
    setBusy(false);
    if (!r.ok) {
      setResult(null);
      setErrors(body.errors ?? []);
    } else setResult(body);
  };

  const onFile = async (file: File | undefined) => {
    if (!file) return;
    setErrors([]);
    setUploaded(null);
    setProgress(0);
    try {
      const r = await upload(file, setProgress);
      if (r.status >= 400) setErrors(((r.body as { errors?: ShownProblem[] }).errors ?? []).slice(0, 50));
      else {
        const b = r.body as { rows: number; already_imported: boolean };
        setUploaded(b.already_imported ? `${file.name} was already imported: nothing added` : `imported ${n(b.rows)} events from ${file.name}`);
      }
    } catch (e) {
      setErrors([{ code: 'H_BAD_INPUT', message: (e as Error).message }]);
    }
    setProgress(null);
    await refresh();
  };

  const changes = (result?.customers ?? []).map((c) => c.delta_pct).filter((x): x is number => x !== null);
  return (
    <>
      <div className="panel">
        <h2>Usage history</h2>
        <p className="small muted" data-testid="usage-summary">
          {summary === null
            ? 'Reading the usage database…'
            : summary.events === 0
              ? 'No usage loaded yet.'
              : `${n(summary.events)} events of ${n(summary.customers)} customers, ${summary.first} to ${summary.last}, from ${summary.imports.length} file(s).`}
        </p>
        {canUpload ? (
          <div className="form-row">
            <label className="field">
              Upload a usage CSV (customer, time, model, mode, duration_s, resolution[, pool, count, …])
              <input
                type="file"
                accept=".csv,text/csv"
                data-testid="usage-file"
                onChange={(e) => void onFile(e.target.files?.[0])}
                disabled={progress !== null}
              />
            </label>
            {progress !== null ? <progress max={1} value={progress} data-testid="upload-progress" /> : null}
          </div>
        ) : null}
        {uploaded ? (
          <div className="notice ok" data-testid="upload-done">
            {uploaded}
          </div>
        ) : null}
      </div>

      <div className="panel">
        <div className="form-row">
          <label className="field">
            Rate card
            <select
              value={cardId}
              data-testid="bt-card"
              onChange={(e) => {
                setCardId(e.target.value);
                const vs = cards.find((c) => c.id === e.target.value)?.versions ?? [];
                setFrom(String(vs[Math.max(0, vs.length - 2)]?.version ?? 1));
                setTo(String(vs[vs.length - 1]?.version ?? 1));
              }}
            >
              {cards.map((c) => (
                <option key={c.id} value={c.id}>
                  {c.id}
                </option>
              ))}
            </select>
          </label>
          {(['from', 'to'] as const).map((which) => (
            <label className="field" key={which}>
              {which === 'from' ? 'Current version' : 'Proposed version'}
              <select value={which === 'from' ? from : to} data-testid={`bt-${which}`} onChange={(e) => (which === 'from' ? setFrom : setTo)(e.target.value)}>
                {versions.map((v) => (
                  <option key={v.version} value={v.version}>
                    v{v.version} ({v.status}, {v.effective_from})
                  </option>
                ))}
              </select>
            </label>
          ))}
          <label className="field">
            Months (optional)
            <input value={between} placeholder="2025-01..2025-12" data-testid="bt-between" onChange={(e) => setBetween(e.target.value)} />
          </label>
          <button type="button" className="btn primary" data-testid="bt-run" disabled={busy} onClick={() => void run()}>
            {busy ? 'Rating…' : 'Run backtest'}
          </button>
        </div>
      </div>

      <ProblemList list={errors} testId="bt-errors" />

      {result ? (
        <>
          <div className="kpis" data-testid="bt-totals">
            <div className="kpi">
              <div className="k">Events</div>
              <div className="v" data-key="events">
                {n(result.totals.events)}
              </div>
              <div className="d muted">{n(result.totals.unpriced_events)} unpriced</div>
            </div>
            <div className="kpi">
              <div className="k">Customers</div>
              <div className="v" data-key="customers">
                {n(result.totals.customers)}
              </div>
              <div className="d muted" data-key="reached">
                v{result.to} reaches {n(result.totals.reached_customers)} (
                {result.reach === 'all' ? 'every customer' : result.reach === 'new_customers' ? 'new customers only' : 'from their next renewal'})
              </div>
            </div>
            <div className="kpi">
              <div className="k">Credits v{result.from}</div>
              <div className="v" data-key="credits_from">
                {n(result.totals.credits_from)}
              </div>
            </div>
            <div className="kpi">
              <div className="k">Credits v{result.to}</div>
              <div className="v" data-key="credits_to">
                {n(result.totals.credits_to)}
              </div>
              <div className={`d ${cls(result.totals.delta)}`} data-key="delta">
                {n(result.totals.delta)} ({pct(result.totals.delta_pct)})
              </div>
            </div>
          </div>
          <div className="panel">
            <h2>Change per customer</h2>
            <p className="small muted" data-testid="bt-distribution">
              {n(result.distribution.customers)} customers: p50 {pct(result.distribution.p50)} · p90 {pct(result.distribution.p90)} · p95{' '}
              {pct(result.distribution.p95)} · p99 {pct(result.distribution.p99)} · max {pct(result.distribution.max)}
            </p>
            <Histogram values={changes} label={`per-customer change from v${result.from} to v${result.to}`} />
          </div>
          <div className="grid-2">
            <div className="panel flush">
              <div className="panel-head">
                <h2>Most affected</h2>
              </div>
              <table className="data" data-testid="bt-most">
                <thead>
                  <tr>
                    <th>Customer</th>
                    <th className="num">v{result.from}</th>
                    <th className="num">v{result.to}</th>
                    <th className="num">Δ</th>
                    <th className="num">%</th>
                  </tr>
                </thead>
                <tbody>
                  {result.most_affected.map((c) => (
                    <tr key={c.customer}>
                      <td>{c.customer}</td>
                      <td className="num">{n(c.credits_from)}</td>
                      <td className="num">{n(c.credits_to)}</td>
                      <td className={`num ${cls(c.delta)}`}>{n(c.delta)}</td>
                      <td className={`num ${cls(c.delta_pct)}`}>{pct(c.delta_pct)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            <div className="panel flush">
              <div className="panel-head">
                <h2>By model and mode</h2>
              </div>
              <table className="data" data-testid="bt-models">
                <thead>
                  <tr>
                    <th>Model</th>
                    <th>Mode</th>
                    <th className="num">Events</th>
                    <th className="num">v{result.from}</th>
                    <th className="num">v{result.to}</th>
                    <th className="num">%</th>
                  </tr>
                </thead>
                <tbody>
                  {result.by_model_mode.map((m) => (
                    <tr key={`${m.model}/${m.mode ?? ''}`}>
                      <td>{m.model}</td>
                      <td>{m.mode ?? ''}</td>
                      <td className="num">{n(m.events)}</td>
                      <td className="num">{n(m.credits_from)}</td>
                      <td className="num">{n(m.credits_to)}</td>
                      <td className={`num ${cls(m.delta_pct)}`}>{pct(m.delta_pct)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </div>
          {result.unpriced.length > 0 ? (
            <div className="panel flush">
              <div className="panel-head">
                <h2>Unpriced</h2>
                <span className="small muted">Not counted in the credits above (never priced as zero).</span>
              </div>
              <table className="data" data-testid="bt-unpriced">
                <thead>
                  <tr>
                    <th>Request</th>
                    <th className="num">Events</th>
                    <th>Why</th>
                  </tr>
                </thead>
                <tbody>
                  {result.unpriced.map((u, i) => (
                    <tr key={i}>
                      <td className="mono small">
                        {Object.entries(u.request)
                          .map(([k, v]) => `${k}=${v}`)
                          .join(' ')}
                      </td>
                      <td className="num">{n(u.events)}</td>
                      <td className="small">{u.problems.map((p) => `v${p.version}: ${p.code} ${p.message}`).join('; ')}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          ) : null}
        </>
      ) : null}
    </>
  );
}
