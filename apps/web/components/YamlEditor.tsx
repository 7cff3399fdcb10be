'use client';
import { defaultKeymap, history, historyKeymap, indentWithTab } from '@codemirror/commands';
import { yaml } from '@codemirror/lang-yaml';
import { defaultHighlightStyle, syntaxHighlighting, indentOnInput, bracketMatching } from '@codemirror/language';
import { lintGutter, setDiagnostics, type Diagnostic as CmDiagnostic } from '@codemirror/lint';
import { Compartment, EditorState, type Text } from '@codemirror/state';
import { EditorView, drawSelection, highlightActiveLine, highlightActiveLineGutter, keymap, lineNumbers } from '@codemirror/view';
import { useEffect, useRef, type MutableRefObject } from 'react';

export interface EditorProblem {
  from: number;
  to: number;
  severity: 'error' | 'warning';
  message: string;
}

/** What a parent may ask of the editor. */
export interface EditorControl {
  /** Moves the cursor to an offset and scrolls it to the middle of the view. */
  reveal(offset: number): void;
}

/** Deeper than this, the highlighter's tree builder would overflow the stack: the text is shown plain. */
const MAX_HIGHLIGHT_DEPTH = 400;

/** The deepest bracket nesting of a text (quotes ignored: a cheap upper bound). */
function bracketDepth(doc: Text): number {
  let depth = 0;
  let max = 0;
  for (const line of doc.iter()) {
    for (let i = 0; i < line.length; i++) {
      const c = line.charCodeAt(i);
      if (c === 91 || c === 123) max = Math.max(max, ++depth);
      else if ((c === 93 || c === 125) && depth > 0) depth--;
    }
  }
  return max;
}

/** The YAML source view (CodeMirror 6) with the loader's problems drawn at their exact positions. */
export function YamlEditor({
  value,
  onChange,
  problems,
  readOnly = false,
  control,
}: {
  value: string;
  onChange?: (text: string) => void;
  problems: EditorProblem[];
  readOnly?: boolean;
  control?: MutableRefObject<EditorControl | null>;
}) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const changeRef = useRef(onChange);
  changeRef.current = onChange;

  useEffect(() => {
    if (!host.current) return;
    // YAML highlighting is switched off in the same transaction that makes the text too deep for it,
    // so a paste of thousands of nested brackets is shown (plain) and checked, never lost to a crash.
    const language = new Compartment();
    const tooDeep = (doc: Text) => bracketDepth(doc) > MAX_HIGHLIGHT_DEPTH;
    const v = new EditorView({
      parent: host.current,
      state: EditorState.create({
        doc: value,
        extensions: [
          language.of(tooDeep(EditorState.create({ doc: value }).doc) ? [] : yaml()),
          EditorState.transactionExtender.of((tr) => {
            if (!tr.docChanged) return null;
            const deep = tooDeep(tr.newDoc);
            const current = language.get(tr.startState);
            const on = !(Array.isArray(current) && current.length === 0);
            if (deep && on) return { effects: language.reconfigure([]) };
            if (!deep && !on) return { effects: language.reconfigure(yaml()) };
            return null;
          }),
          lineNumbers(),
          highlightActiveLineGutter(),
          highlightActiveLine(),
          drawSelection(),
          history(),
          indentOnInput(),
          bracketMatching(),
          syntaxHighlighting(defaultHighlightStyle),
          lintGutter(),
          keymap.of([...defaultKeymap, ...historyKeymap, indentWithTab]),
          EditorState.readOnly.of(readOnly),
          EditorView.editable.of(!readOnly),
          EditorView.updateListener.of((u) => {
            if (u.docChanged) changeRef.current?.(u.state.doc.toString());
          }),
        ],
      }),
    });
    view.current = v;
    // The view hangs off its host element so end-to-end tests (and devtools) can read the whole document;
    // the DOM holds only the lines on screen.
    (host.current as HTMLDivElement & { editorView?: EditorView }).editorView = v;
    if (control) {
      control.current = {
        reveal(offset) {
          const at = Math.min(Math.max(0, offset), v.state.doc.length);
          v.dispatch({ selection: { anchor: at }, effects: EditorView.scrollIntoView(at, { y: 'center' }) });
          v.focus();
        },
      };
    }
    return () => {
      v.destroy();
      view.current = null;
    };
    // The editor is created once; later values arrive through the effect below.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  // Text changed outside the editor (a grid cell): apply only the changed stretch, so the cursor stays.
  useEffect(() => {
    const v = view.current;
    if (!v) return;
    const current = v.state.doc.toString();
    if (current === value) return;
    let start = 0;
    while (start < current.length && start < value.length && current[start] === value[start]) start++;
    let endA = current.length;
    let endB = value.length;
    while (endA > start && endB > start && current[endA - 1] === value[endB - 1]) {
      endA--;
      endB--;
    }
    v.dispatch({ changes: { from: start, to: endA, insert: value.slice(start, endB) } });
  }, [value]);

  useEffect(() => {
    const v = view.current;
    if (!v) return;
    const len = v.state.doc.length;
    const diags: CmDiagnostic[] = problems.map((p) => {
      const from = Math.min(Math.max(0, p.from), len);
      const to = Math.min(Math.max(from, p.to), len);
      return { from, to, severity: p.severity, message: p.message };
    });
    v.dispatch(setDiagnostics(v.state, diags));
  }, [problems, value]);

  return <div className={`cm-host${readOnly ? ' readonly' : ''}`} ref={host} data-testid="yaml-editor" />;
}
