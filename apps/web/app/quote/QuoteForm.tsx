'use client';
import { useEffect, useMemo, useRef, useState } from 'react';
import { fmtInt, fmtMoney } from '@/components/format.ts';
import { ProblemList, type ShownProblem } from '@/components/ProblemList.tsx';
import { allowedValues, narrowed, notAllowed, type Combo } from '@/lib/choices.ts';
import { moneyAt, type Rate } from '@/lib/money.ts';

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
  pool: string;
  dimensions: Record<string, DimensionChoice>;
  /** Each version with the requests it allows, so the form offers only valid combinations. */
  versions: { version: number; status: string; effective_from: string; combos: Combo[] }[];
}

interface Quote {
  credits: number;
  card: { id: string; version: number; pool: string; effective_from: string; status: string };
  unit: { name: string; scale: number };
  on: string;
  request: Record<string, string | number>;
  trace: { step: string; detail: string }[];
}

type Problem = ShownProblem & { path: string };

const DEFAULTS: Record<string, Record<string, string>> = {
  'kling-consumer': { model: 'kling-v2-5-turbo', mode: 'pro', duration_s: '10' },
  'kling-api': { model: 'kling-v2-5-turbo', mode: 'pro', duration_s: '10' },
};

const LABELS: Record<string, string> = { duration_s: 'Duration (s)', model: 'Model', mode: 'Mode', resolution: 'Resolution', audio: 'Audio' };

/** The version a quote would use: the one asked for, else the highest published one in force on the date. */
function versionFor(card: CardChoice, on: string, version: string) {
  if (version) return card.versions.find((v) => String(v.version) === version);
  return [...card.versions].reverse().find((v) => v.status === 'published' && v.effective_from <= on);
}

export function QuoteForm({
  cards,
  rates,
  today,
  initial,
  fallback,
}: {
  cards: CardChoice[];
  rates: Record<string, Rate[]>;
  today: string;
  initial: Record<string, string>;
  fallback: string;
}) {
  const [cardId, setCardId] = useState(cards.some((c) => c.id === initial['card']) ? initial['card']! : fallback);
  const card = cards.find((c) => c.id === cardId) ?? cards[0];
  // The state is in the URL (shareable, survives a reload): ?card=&model=&mode=&duration_s=&on=&version=
  const [values, setValues] = useState<Record<string, string>>(() => {
    const fromUrl = Object.fromEntries(Object.entries(initial).filter(([k]) => card && k in card.dimensions));
    return Object.keys(fromUrl).length > 0 ? fromUrl : (DEFAULTS[cardId] ?? {});
  });
  const [on, setOn] = useState(initial['on'] ?? today);
  const [version, setVersion] = useState(initial['version'] ?? '');
  const [result, setResult] = useState<Quote | null>(null);
  const [errors, setErrors] = useState<Problem[]>([]);
  const seq = useRef(0);
  const dims = card ? Object.keys(card.dimensions) : [];
  const combos = useMemo(() => (card ? (versionFor(card, on, version)?.combos ?? []) : []), [card, on, version]);
  const why = notAllowed(values, combos, dims);
  const choose = (name: string, value: string) => setValues(narrowed({ ...values, [name]: value }, combos, dims));

  useEffect(() => {
    if (!card) return;
    const q = new URLSearchParams({ card: card.id });
    if (on) q.set('on', on);
    if (version) q.set('version', version);
    for (const [k, v] of Object.entries(values)) if (v !== '' && k in card.dimensions) q.set(k, v);
    window.history.replaceState(window.history.state, '', `${window.location.pathname}?${q.toString()}`);
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
            <select
              value={card.id}
              data-testid="quote-card"
              onChange={(e) => {
                setCardId(e.target.value);
                setValues(DEFAULTS[e.target.value] ?? {});
                setVersion('');
              }}
            >
              {cards.map((c) => (
                <option key={c.id} value={c.id}>
                  {c.title} ({c.id})
                </option>
              ))}
            </select>
          </label>
          {Object.entries(card.dimensions).map(([name, d]) => (
            <label className="field" key={name}>
              {LABELS[name] ?? name}
              {d.values ? (
                <select
                  value={values[name] ?? ''}
                  aria-invalid={bad.has(`/${name}`) || bad.has(name)}
                  data-testid={`quote-${name}`}
                  onChange={(e) => choose(name, e.target.value)}
                >
                  <option value="">{d.default !== undefined ? `default (${d.default})` : 'from the other choices'}</option>
                  {/* Only the values the card allows with the choices above; one chosen anyway (a shared link) stays, marked. */}
                  {d.values
                    .filter(
                      (v) =>
                        combos.length === 0 ||
                        allowedValues(combos, Object.fromEntries(dims.slice(0, dims.indexOf(name)).map((x) => [x, values[x] ?? ''])), name).includes(String(v)),
                    )
                    .map((v) => (
                      <option key={String(v)} value={String(v)}>
                        {String(v)}
                      </option>
                    ))}
                  {values[name] &&
                  combos.length > 0 &&
                  !allowedValues(combos, Object.fromEntries(dims.slice(0, dims.indexOf(name)).map((x) => [x, values[x] ?? ''])), name).includes(
                    values[name],
                  ) ? (
                    <option value={values[name]}>{values[name]} (not allowed)</option>
                  ) : null}
                </select>
              ) : (
                <input
                  type="number"
                  value={values[name] ?? ''}
                  min={d.range?.min}
                  max={d.range?.max}
                  step={d.range?.step ?? 'any'}
                  data-testid={`quote-${name}`}
                  onChange={(e) => setValues({ ...values, [name]: e.target.value })}
                />
              )}
              {d.description ? (
                <span className="small muted" style={{ fontWeight: 400 }}>
                  {d.description}
                </span>
              ) : null}
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
                {card.versions.map((v) => (
                  <option key={v.version} value={v.version}>
                    v{v.version} — {v.status}
                    {v.status === 'published' ? `, from ${v.effective_from}` : ''}
                  </option>
                ))}
              </select>
            </label>
          </div>
        </div>
      </div>
      <div className="panel">
        {why ? (
          <div className="notice error" role="alert" data-testid="quote-not-allowed">
            <strong>Not a request this card prices:</strong> {why}.
          </div>
        ) : errors.length > 0 ? (
          <ProblemList list={errors} testId="quote-errors" />
        ) : null}
        {result ? (
          <div data-testid="quote-result">
            <div className="quote-result">
              <span className="big" data-testid="quote-credits">
                {fmtInt(result.credits)}
              </span>
              <span className="muted">
                {result.unit.scale === 1 ? `${result.unit.name}s` : `tenths of an ${result.unit.name}`}
                {result.unit.scale !== 1 ? ` (= ${result.credits / result.unit.scale} ${result.unit.name}s)` : ''}
              </span>
            </div>
            {(rates[result.card.pool] ?? []).length > 0 ? (
              <table className="data" data-testid="quote-money" style={{ margin: '8px 0 12px' }}>
                <thead>
                  <tr>
                    <th>At the rate of</th>
                    <th className="num">Rate</th>
                    <th className="num">This generation</th>
                  </tr>
                </thead>
                <tbody>
                  {rates[result.card.pool]!.map((r) => (
                    <tr key={r.name} data-testid="quote-money-row">
                      <td>{r.name}</td>
                      <td className="num muted">
                        {fmtMoney(r.price)} for {fmtInt(r.credits)}
                      </td>
                      <td className="num" data-testid="quote-money-value">
                        {r.currency} {fmtMoney(moneyAt(result.credits, r))}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            ) : null}
            <p className="muted">
              {result.card.id} <strong>v{result.card.version}</strong> ({result.card.status}, effective {result.card.effective_from}), {result.card.pool} pool,
              on {result.on}
            </p>
            <h3 style={{ marginTop: 16 }}>How it was calculated</h3>
            <table className="data" data-testid="quote-trace">
              <thead>
                <tr>
                  <th style={{ width: 110 }}>Step</th>
                  <th>Detail</th>
                </tr>
              </thead>
              <tbody>
                {result.trace.map((t, i) => (
                  <tr key={i}>
                    <td>{t.step}</td>
                    <td className="mono small wrap">{t.detail}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : errors.length === 0 ? (
          <p className="muted">Pricing…</p>
        ) : null}
      </div>
    </div>
  );
}
