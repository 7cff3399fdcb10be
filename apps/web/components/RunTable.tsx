'use client';
import type { ReactNode } from 'react';
import { PALETTE } from '@/components/Charts.tsx';
import { deltaClass } from '@/components/format.ts';

/** A figure of one cell: what `data-value` holds (null: none, not comparable), what is shown, its tooltip. */
export interface RunCell {
  value: string | null;
  text: ReactNode;
  title?: string | undefined;
}

/** One row of a run table: its label, and its figure for a run and for a delta. */
export interface RunRow {
  key: string;
  label: ReactNode;
  /** A rise is bad news (coloured as such in the deltas). */
  moreIsWorse: boolean;
  run(name: string): RunCell;
  delta(name: string): RunCell;
}

/**
 * Runs side by side, then each variant's delta from the base: a column per run (with its chart
 * colour, and a badge when it could not price all its demand) and one per delta. Every figure
 * carries `data-run` or `data-delta`, `data-key` and `data-value` for tests and scripts.
 */
export function RunTable({
  testId,
  corner,
  runs,
  deltas,
  rows,
  invalid,
}: {
  testId: string;
  corner: string;
  runs: readonly { name: string; description?: string }[];
  deltas: readonly { name: string }[];
  rows: readonly RunRow[];
  invalid: ReadonlySet<string>;
}) {
  const sep = (i: number) => (i === 0 ? ' sep' : '');
  return (
    <table className="data" data-testid={testId}>
      <thead>
        <tr>
          <th>{corner}</th>
          {runs.map((r, i) => (
            <th key={r.name} className={`num${sep(i)}`} title={r.description} data-run={r.name} data-invalid={invalid.has(r.name) ? 'true' : undefined}>
              <span
                className="sw"
                style={{ display: 'inline-block', width: 8, height: 8, borderRadius: 2, marginRight: 6, background: PALETTE[i % PALETTE.length] }}
              />
              {r.name}
              {invalid.has(r.name) ? (
                <>
                  {' '}
                  <span className="badge invalid">invalid</span>
                </>
              ) : null}
            </th>
          ))}
          {deltas.map((d, i) => (
            <th key={`d-${d.name}`} className={`num${sep(i)}`}>
              Δ {d.name}
            </th>
          ))}
        </tr>
      </thead>
      <tbody>
        {rows.map((m) => (
          <tr key={m.key}>
            <td>{m.label}</td>
            {runs.map((r, i) => {
              const c = m.run(r.name);
              return (
                <td
                  key={r.name}
                  className={`num${sep(i)}${invalid.has(r.name) ? ' zero' : ''}`}
                  data-run={r.name}
                  data-key={m.key}
                  data-value={c.value ?? ''}
                  title={c.title}
                >
                  {c.text}
                </td>
              );
            })}
            {deltas.map((d, i) => {
              const c = m.delta(d.name);
              return (
                <td
                  key={d.name}
                  className={`num${sep(i)} ${c.value === null ? '' : deltaClass(Number(c.value), m.moreIsWorse)}`}
                  data-delta={d.name}
                  data-key={m.key}
                  data-value={c.value ?? ''}
                  title={c.title}
                >
                  {c.text}
                </td>
              );
            })}
          </tr>
        ))}
      </tbody>
    </table>
  );
}
