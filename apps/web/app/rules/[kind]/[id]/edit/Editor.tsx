'use client';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useEffect, useMemo, useRef, useState } from 'react';
import { ParamGrid, type CellEdit } from '@/components/ParamGrid.tsx';
import { RecordTables, hasRecordForms, type FieldEdit } from '@/components/RecordTables.tsx';
import { ExamplesTable, PriceGridTable } from '@/components/PriceGridTable.tsx';
import { YamlEditor, type EditorControl, type EditorProblem } from '@/components/YamlEditor.tsx';
import type { KindName } from '@/lib/kinds.ts';
import type { Preview, ShownDiagnostic } from '@/lib/preview.ts';
import { readLocalDraft, useLeaveGuard, writeLocalDraft, type LocalDraft } from './unsaved.ts';
import { getScalar, isPlain, keyNames, parameterTables, scalarText, setScalar } from '@/lib/yamledit.ts';

interface Props {
  kind: KindName;
  kindSlug: string;
  id: string;
  baseVersion: number;
  initialText: string;
  initialPreview: Preview;
  canSave: boolean;
}

type SaveState =
  | { state: 'idle' }
  | { state: 'saving' }
  | { state: 'conflict'; message: string; latest: number | null; merge: MergeAnswer | null }
  | { state: 'invalid'; errors: ShownDiagnostic[] }
  | { state: 'failed'; message: string };

/** The server's three-way merge of a stale edit (base, theirs, mine). */
interface MergeAnswer {
  base: number;
  theirs: number;
  text: string;
  merged: (string | number)[][];
  conflicts: { key: string; path: (string | number)[]; base: unknown; theirs: unknown; mine: unknown }[];
}

const showCell = (v: unknown) => (v === null || v === undefined ? '(none)' : String(v));

/** The rate-card editor: parameter grid, formula, YAML source, live validation, price grid and examples; save as draft. */
export function Editor(props: Props) {
  const router = useRouter();
  const [text, setText] = useState(props.initialText);
  const [base, setBase] = useState(props.baseVersion);
  const [preview, setPreview] = useState<Preview>(props.initialPreview);
  const [lastGrid, setLastGrid] = useState(props.initialPreview.grid);
  // Starts as checking: the page's script re-validates as soon as it runs, so 'settled' also means 'ready'.
  const [checking, setChecking] = useState(true);
  const [note, setNote] = useState('');
  const [save, setSave] = useState<SaveState>({ state: 'idle' });
  const seq = useRef(0);
  const editor = useRef<EditorControl | null>(null);
  const original = useMemo(() => parameterTables(props.initialText) ?? [], [props.initialText]);
  const [saved, setSaved] = useState(false);
  const [restored, setRestored] = useState<LocalDraft | null>(null);
  const dirty = !saved && (text !== props.initialText || base !== props.baseVersion);
  useLeaveGuard(dirty);

  // An unsaved edit kept in this browser comes back after a reload, until it is saved or discarded.
  useEffect(() => {
    const kept = readLocalDraft(props.kind, props.id);
    if (!kept || kept.text === props.initialText) return;
    setText(kept.text);
    setBase(kept.base);
    setNote(kept.note);
    setRestored(kept);
  }, [props.kind, props.id, props.initialText]);
  useEffect(() => {
    if (saved) return;
    writeLocalDraft(props.kind, props.id, dirty ? { base, text, note, at: new Date().toISOString() } : null);
  }, [dirty, saved, base, text, note, props.kind, props.id]);

  // Validate on the server (the engine's loader, with the rest of the store) a moment after typing stops.
  useEffect(() => {
    const mine = ++seq.current;
    setChecking(true);
    const t = setTimeout(() => void check(), 250);
    const check = async () => {
      let res: Response;
      try {
        res = await fetch('/api/validate', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text, base_version: base }) });
      } catch (e) {
        res = new Response(JSON.stringify({ errors: [] }), { status: 599, statusText: (e as Error).message });
      }
      if (mine !== seq.current) return;
      setChecking(false);
      if (!res.ok) {
        // Text the checker refuses (too large, nested too deep, ...) is a problem to show, never a silent no-op.
        const body = (await res.json().catch(() => null)) as { errors?: ShownDiagnostic[] } | null;
        const fallback = { code: 'H_BAD_INPUT', message: `the text could not be checked (HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ''})`, severity: 'error', file: '', pos: [0, 0], line: 1, col: 1, path: '', formatted: '' } as unknown as ShownDiagnostic;
        const errors = body?.errors?.length ? body.errors.map((e) => ({ ...e, pos: e.pos ?? [0, 0], line: e.line ?? 1, col: e.col ?? 1, formatted: e.formatted ?? '' })) : [fallback];
        setPreview((prev) => ({ ...prev, errors, warnings: [], examples: [] }));
        return;
      }
      const p = (await res.json()) as Preview;
      setPreview(p);
      // A fixed edit clears the "Not saved: the edit has problems" banner.
      if (p.errors.length === 0) setSave((s) => (s.state === 'invalid' ? { state: 'idle' } : s));
      if (p.grid && pricesSomething(p.grid)) setLastGrid(p.grid);
    };
    return () => clearTimeout(t);
  }, [text, base]);

  const tables = useMemo(() => (props.kind === 'RateCard' ? parameterTables(text) : null), [text, props.kind]);
  const rounding = ((r) => (r === 'ceil' || r === 'floor' || r === 'round' || r === 'exact' ? r : 'ceil'))(props.kind === 'RateCard' ? getScalar(text, ['rounding']) : undefined);

  // Undo and redo of grid and formula edits (the source view keeps its own history).
  const [past, setPast] = useState<string[]>([]);
  const [future, setFuture] = useState<string[]>([]);
  const track = (next: string) => {
    if (next === text) return;
    setPast([...past.slice(-99), text]);
    setFuture([]);
    setText(next);
  };
  const undo = () => {
    const prev = past[past.length - 1];
    if (prev === undefined) return;
    setPast(past.slice(0, -1));
    setFuture([text, ...future]);
    setText(prev);
  };
  const redo = () => {
    const next = future[0];
    if (next === undefined) return;
    setFuture(future.slice(1));
    setPast([...past, text]);
    setText(next);
  };
  const applyFields = (edits: FieldEdit[]) => {
    let next: string | null = text;
    for (const e of edits) next = next === null ? null : setScalar(next, e.path, e.value);
    if (next !== null) track(next);
  };
  const applyCells = (edits: CellEdit[]) => {
    let next: string | null = text;
    for (const e of edits) next = next === null ? null : setScalar(next, ['parameters', e.param, ...e.path], e.value);
    if (next !== null) track(next);
  };
  const formula = props.kind === 'RateCard' ? getScalar(text, ['credits']) : undefined;
  const problems: EditorProblem[] = useMemo(
    () => [...preview.errors, ...preview.warnings].map((d) => ({ from: d.pos[0], to: Math.max(d.pos[1], d.pos[0] + 1), severity: d.severity, message: `${d.code} ${d.message}` })),
    [preview],
  );
  // Valid means every check passed: no loader problem, every allowed cell priced, every example right.
  const badCells = preview.grid ? preview.grid.rows.reduce((n, r) => n + r.cells.filter((c) => c !== null && c.problem !== null).length, 0) : 0;
  const failing = preview.examples.filter((e) => !e.pass).length;
  const valid = preview.errors.length === 0 && badCells === 0 && failing === 0;
  const verdict =
    preview.errors.length > 0
      ? `${preview.errors.length} problem${preview.errors.length === 1 ? '' : 's'}`
      : badCells > 0
        ? `${badCells} price cell${badCells === 1 ? '' : 's'} cannot be priced`
        : failing > 0
          ? `${failing} example${failing === 1 ? '' : 's'} fail${failing === 1 ? 's' : ''}`
          : 'Valid: every check passes';
  const current = preview.grid && pricesSomething(preview.grid) ? preview.grid : null;

  const [choices, setChoices] = useState<Record<string, 'mine' | 'theirs'>>({});
  async function fetchMerge(picked: Record<string, 'mine' | 'theirs'>): Promise<MergeAnswer | null> {
    const res = await fetch('/api/merge', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text, base_version: base, choices: picked }) });
    return res.ok ? ((await res.json()) as MergeAnswer) : null;
  }
  async function applyMerge(merge: MergeAnswer) {
    const final = merge.conflicts.length === 0 ? merge : await fetchMerge(choices);
    if (!final) return;
    setText(final.text);
    setBase(final.theirs);
    setSave({ state: 'idle' });
  }

  async function onSave() {
    setSave({ state: 'saving' });
    const res = await fetch('/api/versions', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text, base_version: base, note }) });
    const body = (await res.json()) as { version?: number; errors?: ShownDiagnostic[] };
    if (res.status === 201 && body.version) {
      setSaved(true);
      writeLocalDraft(props.kind, props.id, null);
      router.push(`/rules/${props.kindSlug}/${props.id}/v/${body.version}`);
      router.refresh();
      return;
    }
    if (res.status === 409) {
      const doc = await fetch(`/api/rules/${props.kindSlug}/${props.id}`).then((r) => (r.ok ? (r.json() as Promise<{ latest: number }>) : null));
      const merge = await fetchMerge({});
      setChoices({});
      setSave({ state: 'conflict', message: body.errors?.map((e) => e.message).join('; ') ?? 'conflict', latest: merge?.theirs ?? doc?.latest ?? null, merge });
      return;
    }
    if (res.status === 400 && body.errors) {
      setSave({ state: 'invalid', errors: body.errors });
      return;
    }
    setSave({ state: 'failed', message: body.errors?.map((e) => e.message).join('; ') ?? `HTTP ${res.status}` });
  }

  return (
    <>
      {restored ? (
        <div className="notice info" role="status" data-testid="restored-draft">
          <strong>Your unsaved edit is back</strong> (kept in this browser{restored.at ? ` since ${restored.at.slice(0, 16).replace('T', ' ')} UTC` : ''}, started from v{restored.base}
          {restored.base !== props.baseVersion ? `; the document is now at v${props.baseVersion}: saving will offer a merge` : ''}).{' '}
          <button
            type="button"
            className="btn small"
            data-testid="discard-draft"
            onClick={() => {
              if (!window.confirm('Discard your unsaved edit?')) return;
              writeLocalDraft(props.kind, props.id, null);
              setText(props.initialText);
              setBase(props.baseVersion);
              setNote('');
              setRestored(null);
            }}
          >
            Discard it
          </button>
        </div>
      ) : null}
      {save.state === 'conflict' ? (
        <div className="notice warn" role="alert" data-testid="conflict">
          <strong>Not saved: someone else saved this document first.</strong> {save.message}. Your text is kept below, unchanged.
          {save.latest ? (
            <div className="actions" style={{ marginTop: 8 }}>
              <Link className="btn small" href={`/rules/${props.kindSlug}/${props.id}/diff?a=${base}&b=${save.latest}`} target="_blank">
                See what changed in v{save.latest}
              </Link>
            </div>
          ) : null}
          {save.merge ? (
            <div style={{ marginTop: 10 }} data-testid="merge">
              <p>
                Three-way merge (v{save.merge.base} → v{save.merge.theirs} and your edit): {save.merge.merged.length} of your change{save.merge.merged.length === 1 ? '' : 's'} apply cleanly on top of v{save.merge.theirs}
                {save.merge.conflicts.length > 0 ? <>; <strong data-testid="merge-conflict-count">{save.merge.conflicts.length} cell{save.merge.conflicts.length === 1 ? '' : 's'} changed on both sides</strong>: choose which value to keep.</> : '; nothing overlaps.'}
              </p>
              {save.merge.conflicts.length > 0 ? (
                <table className="data merge-table" data-testid="merge-conflicts">
                  <thead><tr><th>Cell</th><th className="num">v{save.merge.base} (start)</th><th>v{save.merge.theirs} (theirs)</th><th>Your edit</th></tr></thead>
                  <tbody>
                    {save.merge.conflicts.map((c) => (
                      <tr key={c.key} data-testid="merge-conflict">
                        <td className="mono small">{c.path.join(' › ')}</td>
                        <td className="num muted">{showCell(c.base)}</td>
                        <td className="pick"><label><input type="radio" name={c.key} checked={choices[c.key] === 'theirs'} onChange={() => setChoices({ ...choices, [c.key]: 'theirs' })} data-testid="pick-theirs" /> {showCell(c.theirs)}</label></td>
                        <td className="pick"><label><input type="radio" name={c.key} checked={choices[c.key] === 'mine'} onChange={() => setChoices({ ...choices, [c.key]: 'mine' })} data-testid="pick-mine" /> {showCell(c.mine)}</label></td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              ) : null}
              <div className="actions" style={{ marginTop: 8 }}>
                <button
                  className="btn small primary"
                  type="button"
                  data-testid="apply-merge"
                  disabled={save.merge.conflicts.some((c) => choices[c.key] === undefined)}
                  onClick={() => void applyMerge(save.merge!)}
                >
                  Merge onto v{save.merge.theirs}, then review and save v{save.merge.theirs + 1}
                </button>
              </div>
            </div>
          ) : (
            <p className="small">The edit could not be merged automatically (the text does not parse); fix it, then save again.</p>
          )}
        </div>
      ) : null}
      {save.state === 'failed' ? <div className="notice error" role="alert">Save failed: {save.message}</div> : null}
      {save.state === 'invalid' ? (
        <div className="notice error" role="alert">
          <strong>Not saved: the edit has problems.</strong>
          <ProblemList list={save.errors} />
        </div>
      ) : null}

      <div className="panel" style={{ display: 'flex', alignItems: 'center', gap: 16, padding: '10px 16px' }}>
        <div className="status-line" data-testid="validation-status">
          <span className={`dot ${checking ? 'busy' : valid ? '' : 'bad'}`} />
          {checking ? 'Checking…' : verdict}
          <span className="mono muted">{preview.file}</span>
        </div>
        {props.canSave ? (
          <div className="actions" style={{ marginLeft: 'auto' }}>
            <input placeholder="Note: what changed and why" value={note} onChange={(e) => setNote(e.target.value)} style={{ width: 360 }} data-testid="save-note" />
            <button className="btn primary" type="button" onClick={onSave} disabled={save.state === 'saving'} data-testid="save-draft">
              {save.state === 'saving' ? 'Saving…' : `Save draft v${base + 1}`}
            </button>
          </div>
        ) : (
          <div className="small muted" style={{ marginLeft: 'auto' }} data-testid="read-only">Viewers can try changes here; saving needs the editor role.</div>
        )}
      </div>

      <div className="grid-editor">
        <div className="stack">
          {tables !== null && props.kind === 'RateCard' ? (
            <div className="panel flush">
              <div className="panel-head">
                <h2>Parameters</h2>
                <span className="small muted">Arrow keys and Enter move between cells; changed cells are highlighted.</span>
                <span className="actions" style={{ marginLeft: 'auto' }}>
                  <button className="btn small" type="button" onClick={undo} disabled={past.length === 0} data-testid="undo" title="Undo (Ctrl+Z)">Undo</button>
                  <button className="btn small" type="button" onClick={redo} disabled={future.length === 0} data-testid="redo" title="Redo (Ctrl+Y)">Redo</button>
                </span>
              </div>
              <div
                className="panel-body stack"
                onKeyDown={(e) => {
                  const mod = e.ctrlKey || e.metaKey;
                  if (mod && e.key.toLowerCase() === 'z' && !e.shiftKey) {
                    e.preventDefault();
                    undo();
                  } else if (mod && (e.key.toLowerCase() === 'y' || (e.key.toLowerCase() === 'z' && e.shiftKey))) {
                    e.preventDefault();
                    redo();
                  }
                }}
              >
                {tables.map((t) => (
                  <ParamGrid
                    key={t.param}
                    table={t}
                    names={typeof formula === 'string' ? keyNames(formula, t) : []}
                    original={original.find((o) => o.param === t.param)}
                    scale={preview.grid?.scale ?? 1}
                    rounding={rounding}
                    onEdit={applyCells}
                  />
                ))}
                {typeof formula === 'string' ? (
                  <FormulaEditor value={formula} onCommit={(v) => {
                    const next = setScalar(text, ['credits'], scalarText(v, isPlain(text, ['credits'])));
                    if (next !== null) track(next);
                  }} />
                ) : null}
              </div>
            </div>
          ) : null}
          {hasRecordForms(props.kind) ? (
            <div className="panel flush">
              <div className="panel-head">
                <h2>Form</h2>
                <span className="small muted">Prices, credits and validities; edit a value, then Enter. The YAML below changes in place.</span>
                <span className="actions" style={{ marginLeft: 'auto' }}>
                  <button className="btn small" type="button" onClick={undo} disabled={past.length === 0} data-testid="undo">Undo</button>
                  <button className="btn small" type="button" onClick={redo} disabled={future.length === 0} data-testid="redo">Redo</button>
                </span>
              </div>
              <div className="panel-body">
                <RecordTables kind={props.kind} text={text} onEdit={applyFields} />
              </div>
            </div>
          ) : null}
          {tables === null && props.kind === 'RateCard' ? <div className="notice warn">The parameter grid returns when the YAML parses again.</div> : null}
          <div className="panel flush">
            <div className="panel-head"><h2>YAML source</h2><span className="small muted">Problems are marked at their line and column.</span></div>
            <YamlEditor value={text} onChange={setText} problems={problems} control={editor} />
          </div>
        </div>
        <div className="stack">
          <div className="panel flush">
            <div className="panel-head"><h2>Problems <span className="muted">({preview.errors.length})</span></h2><span className="small muted">Same codes and positions as <code>creditbook validate</code></span></div>
            {preview.errors.length === 0 ? <p className="panel-body muted" data-testid="no-problems">No problems.</p> : <ProblemList list={preview.errors} onPick={(d) => editor.current?.reveal(d.pos[0])} />}
          </div>
          {props.kind === 'RateCard' ? (
            <>
              <div className="panel flush">
                <div className="panel-head"><h2>Price grid preview</h2>{current ? null : <span className="small muted" data-testid="grid-stale">the edit prices nothing: last valid prices shown</span>}</div>
                {current ?? lastGrid ? <PriceGridTable grid={(current ?? lastGrid)!} stale={!current} /> : <p className="panel-body muted">No grid yet.</p>}
              </div>
              <div className="panel flush">
                <div className="panel-head"><h2>Examples</h2><span className="small muted" data-testid="examples-summary">{preview.examples.length === 0 ? (preview.grid ? 'none in this card' : 'not run: the card does not load') : `${preview.examples.length - failing} of ${preview.examples.length} pass`}</span></div>
                <ExamplesTable examples={preview.examples} />
              </div>
            </>
          ) : null}
        </div>
      </div>
    </>
  );
}

/** Whether a grid has at least one priced cell (a formula that does not compile prices none). */
function pricesSomething(grid: NonNullable<Preview['grid']>): boolean {
  return grid.rows.some((r) => r.cells.some((c) => c !== null && c.credits !== null));
}

function ProblemList({ list, onPick }: { list: ShownDiagnostic[]; onPick?: (d: ShownDiagnostic) => void }) {
  return (
    <ul className="problems" data-testid="problems">
      {list.map((p, i) => (
        <li key={i} data-testid="problem" data-line={p.line} data-col={p.col} data-code={p.code}>
          {onPick ? (
            <button type="button" className="where linklike" title="Show in the source" onClick={() => onPick(p)}>line {p.line}:{p.col}</button>
          ) : (
            <span className="where">line {p.line}:{p.col}</span>
          )}
          <span>
            <span className="code">{p.code}</span> {p.message}
            {p.path ? <span className="muted"> (at {p.path})</span> : null}
            <div className="mono muted small" data-testid="formatted">{p.formatted}</div>
          </span>
        </li>
      ))}
    </ul>
  );
}

function FormulaEditor({ value, onCommit }: { value: string; onCommit: (v: string) => void }) {
  const [draft, setDraft] = useState(value);
  useEffect(() => setDraft(value), [value]);
  return (
    <div>
      <h3>Credits formula (JSONata)</h3>
      <div className="form-row" style={{ flexWrap: 'nowrap' }}>
        <input
          className="formula-input"
          value={draft}
          data-testid="formula"
          onChange={(e) => setDraft(e.target.value)}
          onBlur={() => draft !== value && onCommit(draft)}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && draft !== value) onCommit(draft);
          }}
        />
        <button className="btn" type="button" onClick={() => draft !== value && onCommit(draft)} data-testid="apply-formula">Apply</button>
      </div>
    </div>
  );
}
