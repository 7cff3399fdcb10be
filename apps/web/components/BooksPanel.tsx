'use client';
import { useState } from 'react';
import { BarChart, LineChart } from '@/components/Charts.tsx';
import { fmtMoney, fmtSigned } from '@/components/format.ts';
import { RunTable } from '@/components/RunTable.tsx';
import type { BooksDelta, BooksSummary } from '@creditbook/engine';

/** A run's books as `compare` gives them: money as two-place strings. */
export type RunBooks = BooksSummary;

type BooksKey = keyof BooksDelta;

/** The books' totals, in the order the CLI's compare table has them (more revenue is better; more deferred revenue is neither). */
const ROWS: { key: BooksKey; label: string; moreIsWorse: boolean }[] = [
  { key: 'billings', label: 'Billings', moreIsWorse: false },
  { key: 'revenue', label: 'Revenue', moreIsWorse: false },
  { key: 'revenue_usage', label: 'Revenue from usage', moreIsWorse: false },
  { key: 'revenue_breakage', label: 'Revenue from breakage', moreIsWorse: false },
  { key: 'deferred_peak', label: 'Peak deferred revenue', moreIsWorse: true },
  { key: 'deferred_closing', label: 'Closing deferred revenue', moreIsWorse: true },
];

/**
 * The books of every run of a what-if: totals with deltas from the base, deferred revenue at each
 * month end, and one run's revenue by month split into usage and breakage (docs/books.md).
 */
export function BooksPanel({
  runs,
  deltas,
  pool,
  invalid = new Set(),
}: {
  runs: { name: string; books: RunBooks }[];
  deltas: { name: string; books: Record<BooksKey, string> }[];
  pool: string | null;
  /** Runs whose demand could not all be priced: their books leave it out, so no delta is shown for or against them. */
  invalid?: ReadonlySet<string>;
}) {
  const [chosen, setChosen] = useState<string | null>(null);
  if (runs.length === 0) return null;
  const currency = runs[0]!.books.currency;
  const seriesOf = (r: { books: RunBooks }) => r.books.series.filter((p) => pool === null || p.pool === pool);
  const periods = seriesOf(runs[0]!).map((p) => p.period);
  const shown = runs.find((r) => r.name === chosen) ?? runs[0]!;
  const money = (n: number) => fmtMoney(n).replace(/\.00$/, '');
  return (
    <div className="panel flush" data-testid="books">
      <div className="panel-head">
        <h2>
          The books <span className="muted">({currency})</span>
        </h2>
        <span className="small muted">
          Revenue and deferred revenue of each run under its validity policy&apos;s revenue terms ({[...new Set(runs.map((r) => r.books.method))].join(' / ')});
          Δ is the variant minus the base.
        </span>
      </div>
      <div className="scroll-x">
        <RunTable
          testId="books-totals"
          corner="Books"
          runs={runs}
          deltas={deltas}
          invalid={invalid}
          rows={ROWS.map((m) => ({
            key: m.key,
            label: (
              <>
                {m.label}
                {m.key === 'deferred_peak' ? <span className="small muted"> (month end)</span> : null}
              </>
            ),
            moreIsWorse: m.moreIsWorse,
            run: (name) => {
              const b = runs.find((r) => r.name === name)!.books;
              return {
                value: b[m.key],
                text: fmtMoney(b[m.key]),
                title: m.key === 'deferred_peak' && b.deferred_peak_period ? `in ${b.deferred_peak_period}` : undefined,
              };
            },
            delta: (name) => {
              // A delta against or of an invalid run compares books that leave demand out: none is shown.
              if (invalid.has(runs[0]!.name) || invalid.has(name)) return { value: null, text: '—' };
              const v = deltas.find((d) => d.name === name)!.books[m.key];
              return { value: v, text: fmtSigned(Number(v), fmtMoney) };
            },
          }))}
        />
      </div>
      <div className="grid-2 panel-body">
        <div>
          <h3>Deferred revenue at the end of each month</h3>
          <LineChart
            labels={periods}
            series={runs.map((r) => ({ name: r.name, values: seriesOf(r).map((p) => Number(p.deferred_closing)) }))}
            title="Deferred revenue"
            format={money}
            testId="chart-deferred"
          />
        </div>
        <div>
          <h3>Revenue by month: usage and breakage</h3>
          {runs.length > 1 ? (
            <div className="chips" style={{ marginBottom: 6 }}>
              {runs.map((r) => (
                <button
                  key={r.name}
                  type="button"
                  className={`chip${r.name === shown.name ? ' on' : ''}`}
                  onClick={() => setChosen(r.name)}
                  data-testid={`books-run-${r.name}`}
                >
                  {r.name}
                </button>
              ))}
            </div>
          ) : null}
          <BarChart
            labels={periods}
            series={[
              { name: `${shown.name}: usage`, values: seriesOf(shown).map((p) => Number(p.revenue_usage)) },
              { name: `${shown.name}: breakage`, values: seriesOf(shown).map((p) => Number(p.revenue_breakage)) },
            ]}
            title={`Revenue by month, ${shown.name}`}
            format={money}
            testId="chart-revenue"
          />
        </div>
      </div>
    </div>
  );
}
