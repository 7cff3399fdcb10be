'use client';
import { useEffect, useRef, useState } from 'react';
import { fmtInt } from '@/components/format.ts';

interface DimensionChoice {
  values?: (string | number)[];
  range?: { min: number; max: number; step?: number };
  default?: string | number;
  description?: string;
}

export interface CardChoice {
  id: string;
  title: string;
  unit: string;
  dimensions: Record<string, DimensionChoice>;
  versions: { version: number; status: string; effective_from: string }[];
}

interface Quote {
  credits: number;
  card: { id: string; version: number; pool: string; effective_from: string; status: string };
  unit: { name: string; scale: number };
  on: string;
  request: Record<string, string | number>;
  trace: { step: string; detail: string }[];
}

interface Problem {
  code: string;
  message: string;
  path: string;
}

const DEFAULTS: Record<string, Record<string, string>> = {
  'kling-consumer': { model: 'kling-v2-5-turbo', mode: 'pro', duration_s: '10' },
  'kling-api': { model: 'kling-v2-5-turbo', mode: 'pro', duration_s: '10' },
};

const LABELS: Record<string, string> = { duration_s: 'Duration (s)', model: 'Model', mode: 'Mode', resolution: 'Resolution', audio: 'Audio' };

export function QuoteForm({ cards, today, initial }: { cards: CardChoice[]; today: string; initial: string }) {
  const [cardId, setCardId] = useState(initial);
  const card = cards.find((c) => c.id === cardId) ?? cards[0];
  const [values, setValues] = useState<Record<string, string>>(DEFAULTS[cardId] ?? {});
  const [on, setOn] = useState(today);
  const [version, setVersion] = useState('');
  const [result, setResult] = useState<Quote | null>(null);
  const [errors, setErrors] = useState<Problem[]>([]);
  const seq = useRef(0);

  useEffect(() => {
    if (!card) return;
    const q = new URLSearchParams({ card: card.id });
    if (on) q.set('on', on);
    if (version) q.set('version', version);
    for (const [k, v] of Object.entries(values)) if (v !== '' && k in card.dimensions) q.set(k, v);
    const mine = ++seq.current;
    void fetch(`/api/quote?${q}`).then(async (res) => {
      if (mine !== seq.current) return;
      const body: unknown = await res.json();
      if (res.ok) {
        setResult(body as Quote);
        setErrors([]);
      } else {
        setResult(null);
        setErrors((body as { errors: Problem[] }).errors);
      }
    });
  }, [card, values, on, version]);

  if (!card) return <p className="muted">No rate cards in the store.</p>;
  const bad = new Set(errors.map((e) => e.path.replace(/^\/request\//, '')));
  return (
    <div className="grid-2" style={{ gridTemplateColumns: 'minmax(0, 0.8fr) minmax(0, 1.2fr)' }}>
      <div className="panel">
        <h2>Request</h2>
        <div className="stack">
          <label className="field">
            Rate card
            <select value={card.id} data-testid="quote-card" onChange={(e) => { setCardId(e.target.value); setValues(DEFAULTS[e.target.value] ?? {}); setVersion(''); }}>
              {cards.map((c) => <option key={c.id} value={c.id}>{c.title} ({c.id})</option>)}
            </select>
          </label>
          {Object.entries(card.dimensions).map(([name, d]) => (
            <label className="field" key={name}>
              {LABELS[name] ?? name}
              {d.values ? (
                <select value={values[name] ?? ''} aria-invalid={bad.has(`/${name}`) || bad.has(name)} data-testid={`quote-${name}`} onChange={(e) => setValues({ ...values, [name]: e.target.value })}>
                  <option value="">{d.default !== undefined ? `default (${d.default})` : 'from the other choices'}</option>
                  {d.values.map((v) => <option key={String(v)} value={String(v)}>{String(v)}</option>)}
                </select>
              ) : (
                <input type="number" value={values[name] ?? ''} min={d.range?.min} max={d.range?.max} step={d.range?.step ?? 'any'} data-testid={`quote-${name}`} onChange={(e) => setValues({ ...values, [name]: e.target.value })} />
              )}
              {d.description ? <span className="small muted" style={{ fontWeight: 400 }}>{d.description}</span> : null}
            </label>
          ))}
          <div className="form-row">
            <label className="field">
              Date
              <input type="date" value={on} onChange={(e) => setOn(e.target.value)} data-testid="quote-on" />
            </label>
            <label className="field" style={{ flex: 1 }}>
              Card version
              <select value={version} onChange={(e) => setVersion(e.target.value)} data-testid="quote-version">
                <option value="">the one in force on the date</option>
                {card.versions.map((v) => <option key={v.version} value={v.version}>v{v.version} — {v.status}{v.status === 'published' ? `, from ${v.effective_from}` : ''}</option>)}
              </select>
            </label>
          </div>
        </div>
      </div>
      <div className="panel">
        {errors.length > 0 ? (
          <div className="notice error" role="alert" data-testid="quote-errors">
            {errors.map((e, i) => <div key={i}><strong className="mono">{e.code}</strong> {e.message}{e.path ? <span className="muted"> (at {e.path})</span> : null}</div>)}
          </div>
        ) : null}
        {result ? (
          <div data-testid="quote-result">
            <div className="quote-result">
              <span className="big" data-testid="quote-credits">{fmtInt(result.credits)}</span>
              <span className="muted">{result.unit.scale === 1 ? `${result.unit.name}s` : `tenths of an ${result.unit.name}`}{result.unit.scale !== 1 ? ` (= ${result.credits / result.unit.scale} ${result.unit.name}s)` : ''}</span>
            </div>
            <p className="muted">
              {result.card.id} <strong>v{result.card.version}</strong> ({result.card.status}, effective {result.card.effective_from}), {result.card.pool} pool, on {result.on}
            </p>
            <h3 style={{ marginTop: 16 }}>How it was calculated</h3>
            <table className="data" data-testid="quote-trace">
              <thead><tr><th style={{ width: 110 }}>Step</th><th>Detail</th></tr></thead>
              <tbody>
                {result.trace.map((t, i) => <tr key={i}><td>{t.step}</td><td className="mono small wrap">{t.detail}</td></tr>)}
              </tbody>
            </table>
          </div>
        ) : errors.length === 0 ? <p className="muted">Pricing…</p> : null}
      </div>
    </div>
  );
}
