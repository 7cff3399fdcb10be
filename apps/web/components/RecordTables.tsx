'use client';
import { useEffect, useState } from 'react';
import { parseDocument } from 'yaml';
import { readCell } from '@/lib/cellvalue.ts';
import type { KindName } from '@/lib/kinds.ts';

type ColumnKind = 'money' | 'integer' | 'text';
interface Column {
  path: string[];
  label: string;
  kind: ColumnKind;
}
interface Section {
  title: string;
  /** Where the records are: a list (items by index, named by their id) or a mapping (by key). */
  path: string[];
  columns: Column[];
}

const PACK: Column[] = [
  { path: ['name'], label: 'Name', kind: 'text' },
  { path: ['price'], label: 'Price', kind: 'money' },
  { path: ['credits'], label: 'Credits', kind: 'integer' },
  { path: ['validity', 'days'], label: 'Valid (days)', kind: 'integer' },
  { path: ['validity', 'months'], label: 'Valid (months)', kind: 'integer' },
];

/** The forms of the kinds that are records rather than a price grid. */
const SECTIONS: Partial<Record<KindName, Section[]>> = {
  PlanCatalog: [
    {
      title: 'Subscriptions',
      path: ['subscriptions'],
      columns: [
        { path: ['name'], label: 'Name', kind: 'text' },
        { path: ['price_month'], label: 'Price a month', kind: 'money' },
        { path: ['price_year'], label: 'Price a year', kind: 'money' },
        { path: ['credits_per_month'], label: 'Credits a month', kind: 'integer' },
      ],
    },
    { title: 'Top-up packs', path: ['top_ups'], columns: PACK },
    { title: 'API packages', path: ['api_packages'], columns: PACK },
    { title: 'Custom packages', path: ['custom_packages'], columns: PACK },
  ],
  ValidityPolicy: [
    {
      title: 'Validity and burn priority by lot source',
      path: ['sources'],
      columns: [
        { path: ['validity', 'months'], label: 'Valid (months)', kind: 'integer' },
        { path: ['validity', 'days'], label: 'Valid (days)', kind: 'integer' },
        { path: ['priority'], label: 'Burn priority', kind: 'integer' },
      ],
    },
  ],
};

/** Whether a kind has record forms. */
export const hasRecordForms = (kind: KindName): boolean => SECTIONS[kind] !== undefined;

/** One value written by a form: where in the document, and its YAML text (quoted as it was, for money). */
export interface FieldEdit {
  path: (string | number)[];
  value: string;
}

function at(obj: unknown, path: readonly (string | number)[]): unknown {
  let x = obj;
  for (const k of path) x = x !== null && typeof x === 'object' ? (x as Record<string | number, unknown>)[k] : undefined;
  return x;
}

/** Checks a typed value for its column; the YAML text to write, or why not. */
function checked(kind: ColumnKind, input: string, wasString: boolean): { ok: true; yaml: string } | { ok: false; message: string } {
  if (kind === 'text') return input.trim() === '' ? { ok: false, message: 'a name is required' } : { ok: true, yaml: JSON.stringify(input.trim()) };
  const read = readCell(input);
  if (!read.ok) return read;
  if (kind === 'integer')
    return Number.isInteger(read.value) && read.value >= 0
      ? { ok: true, yaml: read.text }
      : { ok: false, message: `${input.trim()} is not a whole number of credits, months or days` };
  if (read.value < 0 || !/^\d+(\.\d{1,2})?$/.test(read.text)) return { ok: false, message: `${input.trim()} is not an amount of money (two places at most)` };
  const [whole, frac = ''] = read.text.split('.');
  const money = `${whole}.${(frac + '00').slice(0, 2)}`;
  // Money stays exact: written as a quoted decimal when it was one.
  return { ok: true, yaml: wasString ? JSON.stringify(money) : money };
}

/**
 * Plan catalogs and validity policies as forms: each list or mapping of records (tiers, packs,
 * lot sources) as a table of its prices, credits and validities, edited in place in the YAML.
 */
export function RecordTables({ kind, text, onEdit }: { kind: KindName; text: string; onEdit: (edits: FieldEdit[]) => void }) {
  const sections = SECTIONS[kind] ?? [];
  const doc = parseDocument(text);
  if (doc.errors.length > 0) return <div className="notice warn">The forms return when the YAML parses again.</div>;
  const data = doc.toJS() as Record<string, unknown>;
  return (
    <div className="stack" data-testid="record-forms">
      {sections.map((s) => {
        const records = at(data, s.path);
        const rows: [string | number, string][] = Array.isArray(records)
          ? records.map((r, i) => [i, String((r as Record<string, unknown>)?.['id'] ?? i)])
          : records && typeof records === 'object'
            ? Object.keys(records).map((k) => [k, k])
            : [];
        if (rows.length === 0) return null;
        const columns = s.columns.filter((c) => rows.some(([k]) => at(records, [k, ...c.path]) !== undefined));
        return (
          <div key={s.title}>
            <h3>{s.title}</h3>
            <div className="scroll-x">
              <table className="data param-grid" data-testid={`records-${s.path.join('-')}`}>
                <thead>
                  <tr>
                    <th>{Array.isArray(records) ? 'id' : 'source'}</th>
                    {columns.map((c) => (
                      <th key={c.path.join('.')} className={c.kind === 'text' ? '' : 'num'}>
                        {c.label}
                      </th>
                    ))}
                  </tr>
                </thead>
                <tbody>
                  {rows.map(([k, label]) => (
                    <tr key={String(k)}>
                      <td className="mono small">{label}</td>
                      {columns.map((c) => {
                        const v = at(records, [k, ...c.path]);
                        const path = [...s.path, k, ...c.path];
                        return (
                          <td key={c.path.join('.')} className="cell num">
                            {v === undefined || (typeof v === 'object' && v !== null) ? (
                              <span className="muted">—</span>
                            ) : (
                              <FieldInput
                                value={String(v)}
                                kind={c.kind}
                                testId={`field-${path.join('-')}`}
                                onCommit={(input) => {
                                  const r = checked(c.kind, input, typeof v === 'string');
                                  if (!r.ok) return r.message;
                                  if (r.yaml !== (typeof v === 'string' ? JSON.stringify(v) : String(v))) onEdit([{ path, value: r.yaml }]);
                                  return null;
                                }}
                              />
                            )}
                          </td>
                        );
                      })}
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </div>
        );
      })}
    </div>
  );
}

function FieldInput({ value, kind, testId, onCommit }: { value: string; kind: ColumnKind; testId: string; onCommit: (v: string) => string | null }) {
  const [draft, setDraft] = useState(value);
  const [problem, setProblem] = useState<string | null>(null);
  useEffect(() => setDraft(value), [value]);
  const commit = () => setProblem(draft === value ? null : onCommit(draft));
  return (
    <>
      <input
        className={`cell-input${problem ? ' invalid' : ''}`}
        style={kind === 'text' ? { width: 200, textAlign: 'left' } : undefined}
        value={draft}
        inputMode={kind === 'text' ? 'text' : 'decimal'}
        aria-invalid={problem !== null}
        title={problem ?? undefined}
        data-testid={testId}
        onChange={(e) => setDraft(e.target.value)}
        onBlur={commit}
        onKeyDown={(e) => {
          if (e.key === 'Enter') commit();
          if (e.key === 'Escape') {
            setDraft(value);
            setProblem(null);
          }
        }}
      />
      {problem ? (
        <div className="small pos" style={{ textAlign: 'left', whiteSpace: 'normal' }} data-testid="field-problem">
          {problem}
        </div>
      ) : null}
    </>
  );
}
