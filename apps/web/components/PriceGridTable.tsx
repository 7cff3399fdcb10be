import type { ExampleResult, PriceGrid } from '@/lib/preview.ts';
import { fmtInt } from './format.ts';

const label = (v: string | number, dim: string) => (dim === 'duration_s' ? `${v} s` : String(v));

/** A card's evaluated prices: one row per combination of the other dimensions, one column per value of the column dimension. */
export function PriceGridTable({ grid, stale = false }: { grid: PriceGrid; stale?: boolean }) {
  return (
    <div className="scroll-x" style={{ opacity: stale ? 0.5 : 1 }}>
      <table className="data" data-testid="price-grid">
        <thead>
          <tr>
            {grid.rowDimensions.map((d) => (
              <th key={d}>{d}</th>
            ))}
            {grid.columns.map((c, i) => (
              <th key={String(c)} className={`num${i === 0 ? ' sep' : ''}`}>
                {label(c, grid.columnDimension)}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {grid.rows.map((row) => (
            <tr key={JSON.stringify(row.key)}>
              {row.key.map((k, i) => (
                <td key={i} className={i === 0 ? '' : 'muted'}>
                  {String(k)}
                </td>
              ))}
              {row.cells.map((cell, i) => (
                <td
                  key={i}
                  className={`num${i === 0 ? ' sep' : ''}${cell?.problem ? ' pos' : ''}`}
                  title={cell?.problem ?? undefined}
                  data-testid={cell ? `price-${Object.values(cell.request).join('|')}` : undefined}
                >
                  {cell === null ? <span className="muted">·</span> : cell.credits === null ? 'error' : fmtInt(cell.credits)}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
      <CellProblems grid={grid} />
      <div className="small muted" style={{ padding: '8px 12px' }}>
        Credits per generation{grid.scale !== 1 ? ` (${grid.unit} in 1/${grid.scale})` : ''}. A dot marks a combination the card does not allow.
      </div>
    </div>
  );
}

/** Cells the formula cannot price, each with its reason in plain words (not only in a tooltip). */
function CellProblems({ grid }: { grid: PriceGrid }) {
  const bad = grid.rows.flatMap((r) => r.cells.filter((c): c is NonNullable<typeof c> => c !== null && c.problem !== null));
  if (bad.length === 0) return null;
  return (
    <div className="run-problems" style={{ margin: '8px 12px' }} data-testid="cell-problems">
      <strong>
        {bad.length} cell{bad.length === 1 ? '' : 's'} cannot be priced:
      </strong>
      <ul style={{ margin: '4px 0 0', paddingLeft: 18 }}>
        {bad.slice(0, 20).map((c) => (
          <li key={JSON.stringify(c.request)} data-testid="cell-problem">
            <span className="mono">{describe(c.request)}</span>: {c.problem}
          </li>
        ))}
        {bad.length > 20 ? <li>and {bad.length - 20} more</li> : null}
      </ul>
    </div>
  );
}

const describe = (r: Record<string, string | number>) =>
  Object.entries(r)
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(' ');

/** The card's own examples: expected credits against what the formula gives. */
export function ExamplesTable({ examples }: { examples: ExampleResult[] }) {
  if (examples.length === 0) return <p className="muted">This card has no examples.</p>;
  return (
    <table className="data" data-testid="examples">
      <thead>
        <tr>
          <th>Request</th>
          <th className="num">Expected</th>
          <th className="num">Formula</th>
          <th>Result</th>
        </tr>
      </thead>
      <tbody>
        {examples.map((e, i) => (
          <tr key={i}>
            <td className="mono small wrap">{describe(e.request)}</td>
            <td className="num">{fmtInt(e.expected)}</td>
            <td className="num">{e.actual === null ? '—' : fmtInt(e.actual)}</td>
            <td title={e.problem ?? undefined}>
              <span className={`badge ${e.pass ? 'pass' : 'fail'}`}>{e.pass ? 'pass' : 'fail'}</span>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
