'use client';
import { useEffect, useRef, useState, type ClipboardEvent, type KeyboardEvent } from 'react';
import { changedBy, pastedBlock, readCell, type Rounding } from '@/lib/cellvalue.ts';
import type { ParamTable } from '@/lib/yamledit.ts';

/** One cell written by the grid: the parameter's path below `parameters`, and the new number as text. */
export interface CellEdit {
  param: string;
  path: string[];
  value: string;
}

interface Props {
  table: ParamTable;
  names: string[];
  original: ParamTable | undefined;
  /** Unit scale and rounding of the card, for bulk changes. */
  scale: number;
  rounding: Rounding;
  /** Applies several cells as one step (one undo). */
  onEdit: (edits: CellEdit[]) => void;
}

const cellId = (param: string, r: number, c: number) => `${param}:${r}:${c}`;

/**
 * A parameter table as a spreadsheet: arrow keys and Enter move between cells, a block pasted from
 * Excel or Google Sheets fills the cells from the one pasted into, `1,000` reads as 1000, a value a
 * price cannot hold is refused with a message, and selected cells (Shift-click for a range) change
 * together by a percentage, rounded as the card rounds.
 */
export function ParamGrid({ table, names, original, scale, rounding, onEdit }: Props) {
  const before = new Map<string, number>();
  for (const r of original?.rows ?? []) for (const c of r.cells) if (c) before.set(c.path.join('/'), c.value);
  const [message, setMessage] = useState<string | null>(null);
  const [anchor, setAnchor] = useState<[number, number] | null>(null);
  const [selected, setSelected] = useState<Set<string>>(new Set());
  const [percent, setPercent] = useState('5');
  const root = useRef<HTMLDivElement | null>(null);

  const focus = (r: number, c: number) => {
    const el = root.current?.querySelector<HTMLInputElement>(`input[data-cell="${cellId(table.param, r, c)}"]`);
    if (el) {
      el.focus();
      el.select();
    }
  };

  const onPaste = (e: ClipboardEvent<HTMLInputElement>, r: number, c: number) => {
    const block = pastedBlock(e.clipboardData.getData('text/plain'));
    if (block.length === 1 && block[0]!.length === 1) return; // one value: the input takes it
    e.preventDefault();
    const edits: CellEdit[] = [];
    for (let i = 0; i < block.length; i++) {
      for (let j = 0; j < block[i]!.length; j++) {
        const cell = table.rows[r + i]?.cells[c + j];
        if (!cell) {
          setMessage(
            `Not pasted: the block is ${block.length} × ${Math.max(...block.map((b) => b.length))} and runs past the table's edge at row ${r + i + 1}, column ${c + j + 1}.`,
          );
          return;
        }
        const read = readCell(block[i]![j]!);
        if (!read.ok) {
          setMessage(`Not pasted: row ${i + 1}, column ${j + 1} of the pasted block: ${read.message}.`);
          return;
        }
        edits.push({ param: table.param, path: cell.path, value: read.text });
      }
    }
    setMessage(`Pasted ${edits.length} cells.`);
    onEdit(edits);
  };

  const select = (r: number, c: number, extend: boolean, toggle: boolean) => {
    const id = cellId(table.param, r, c);
    if (extend && anchor) {
      const next = new Set<string>();
      for (let i = Math.min(anchor[0], r); i <= Math.max(anchor[0], r); i++) {
        for (let j = Math.min(anchor[1], c); j <= Math.max(anchor[1], c); j++) if (table.rows[i]?.cells[j]) next.add(cellId(table.param, i, j));
      }
      setSelected(next);
      return;
    }
    setAnchor([r, c]);
    if (toggle) {
      const next = new Set(selected);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      setSelected(next);
    } else setSelected(new Set([id]));
  };

  const bulk = () => {
    const edits: CellEdit[] = [];
    table.rows.forEach((row, r) =>
      row.cells.forEach((cell, c) => {
        if (!cell || !selected.has(cellId(table.param, r, c))) return;
        const next = changedBy(cell.value, percent, scale, rounding);
        if (next.ok) edits.push({ param: table.param, path: cell.path, value: next.text });
      }),
    );
    const p = readCell(percent);
    if (!p.ok) {
      setMessage(`Not changed: ${p.message}.`);
      return;
    }
    setMessage(
      `Changed ${edits.length} cell${edits.length === 1 ? '' : 's'} by ${Number(p.text) > 0 ? '+' : ''}${p.text} %, rounded ${rounding === 'exact' ? 'to the nearest' : rounding} to ${scale === 1 ? 'whole credits' : `1/${scale}`}.`,
    );
    onEdit(edits);
  };

  return (
    <div ref={root}>
      <h3 className="mono" style={{ textTransform: 'none', letterSpacing: 0 }}>
        {table.param}
        {names.length > 0 ? (
          <span className="muted" style={{ fontWeight: 400, fontFamily: 'var(--sans)' }}>
            {' '}
            — columns by {names[names.length - 1]}
          </span>
        ) : null}
      </h3>
      <div className="scroll-x">
        <table className="data param-grid" data-testid={`param-${table.param}`}>
          <thead>
            <tr>
              {Array.from({ length: table.depth - 1 }, (_, i) => (
                <th key={i}>{names[i] ?? ''}</th>
              ))}
              {table.columns.map((c) => (
                <th key={c} className="num">
                  {c}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {table.rows.map((row, r) => (
              <tr key={row.key.join('/')}>
                {row.key.map((k, i) => (
                  <td key={i} className={i === 0 ? '' : 'muted'}>
                    {k}
                  </td>
                ))}
                {row.cells.map((cell, c) => (
                  <td key={c} className={`cell num${selected.has(cellId(table.param, r, c)) ? ' selected' : ''}`}>
                    {cell ? (
                      <CellInput
                        value={cell.value}
                        id={cellId(table.param, r, c)}
                        changed={before.has(cell.path.join('/')) && before.get(cell.path.join('/')) !== cell.value}
                        testId={`cell-${table.param}-${cell.path.join('-')}`}
                        onCommit={(v) => onEdit([{ param: table.param, path: cell.path, value: v }])}
                        onRefuse={setMessage}
                        onMove={(dr, dc) => focus(r + dr, c + dc)}
                        onPaste={(e) => onPaste(e, r, c)}
                        onPick={(extend, toggle) => select(r, c, extend, toggle)}
                      />
                    ) : null}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <div className="form-row small" style={{ marginTop: 6, alignItems: 'center' }}>
        {selected.size > 1 ? (
          <>
            <span data-testid={`selection-${table.param}`}>{selected.size} cells selected</span>
            <label className="field" style={{ flexDirection: 'row', alignItems: 'center' }}>
              change by
              <input
                value={percent}
                onChange={(e) => setPercent(e.target.value)}
                style={{ width: 64 }}
                data-testid={`bulk-percent-${table.param}`}
                aria-label="percent"
              />{' '}
              %
            </label>
            <button className="btn small" type="button" onClick={bulk} data-testid={`bulk-apply-${table.param}`}>
              Apply
            </button>
            <button className="btn small" type="button" onClick={() => setSelected(new Set())}>
              Clear selection
            </button>
          </>
        ) : (
          <span className="muted">Shift-click to select a range, then change it by a percentage. Paste a block from a spreadsheet into its top-left cell.</span>
        )}
        {message ? (
          <span className={message.startsWith('Not') ? 'pos' : 'muted'} role="status" data-testid={`grid-message-${table.param}`}>
            {message}
          </span>
        ) : null}
      </div>
    </div>
  );
}

interface CellProps {
  value: number;
  id: string;
  changed: boolean;
  testId: string;
  onCommit: (v: string) => void;
  onRefuse: (message: string) => void;
  onMove: (dr: number, dc: number) => void;
  onPaste: (e: ClipboardEvent<HTMLInputElement>) => void;
  onPick: (extend: boolean, toggle: boolean) => void;
}

function CellInput({ value, id, changed, testId, onCommit, onRefuse, onMove, onPaste, onPick }: CellProps) {
  const [draft, setDraft] = useState(String(value));
  useEffect(() => setDraft(String(value)), [value]);
  // A cell is entered whole, as in a spreadsheet: typing replaces it, arrows leave it.
  const entered = useRef(false);
  const read = readCell(draft);
  const commit = (): boolean => {
    if (!read.ok) {
      if (draft !== String(value)) onRefuse(`Not changed: ${read.message}.`);
      return false;
    }
    if (read.value !== value) onCommit(read.text);
    return true;
  };
  const onKeyDown = (e: KeyboardEvent<HTMLInputElement>) => {
    const el = e.currentTarget;
    const atStart = el.selectionStart === 0 && el.selectionEnd === 0;
    const atEnd = el.selectionStart === el.value.length && el.selectionEnd === el.value.length;
    const whole = el.selectionStart === 0 && el.selectionEnd === el.value.length;
    if (e.key === 'Enter') {
      e.preventDefault();
      if (commit()) onMove(e.shiftKey ? -1 : 1, 0);
    } else if (e.key === 'Escape') setDraft(String(value));
    else if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      if (commit()) onMove(e.key === 'ArrowDown' ? 1 : -1, 0);
    } else if ((e.key === 'ArrowLeft' && (atStart || whole)) || (e.key === 'ArrowRight' && (atEnd || whole))) {
      e.preventDefault();
      if (commit()) onMove(0, e.key === 'ArrowLeft' ? -1 : 1);
    }
  };
  return (
    <input
      className={`cell-input${changed ? ' changed' : ''}${read.ok ? '' : ' invalid'}`}
      value={draft}
      inputMode="decimal"
      aria-invalid={!read.ok}
      title={read.ok ? undefined : read.message}
      data-testid={testId}
      data-cell={id}
      onChange={(e) => setDraft(e.target.value)}
      onBlur={commit}
      onFocus={(e) => {
        e.currentTarget.select();
        entered.current = true;
      }}
      onMouseUp={(e) => {
        if (entered.current) e.preventDefault();
        entered.current = false;
      }}
      onKeyDown={onKeyDown}
      onPaste={onPaste}
      onMouseDown={(e) => onPick(e.shiftKey, e.ctrlKey || e.metaKey)}
    />
  );
}
