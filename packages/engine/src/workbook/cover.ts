import { isMap, isNode, isSeq, type Document } from 'yaml';
import type { VersionUse } from '../ledger/types.ts';
import type { RuleSet } from '../rules/ruleset.ts';
import type { Scenario } from '../rules/types.ts';
import type { Cell, Column, Format, Sheet } from './types.ts';

/** An input of a run as the cover lists it: where its value comes from in the rules. */
export interface CoverInput {
  readonly run: string;
  readonly label: string;
  readonly value: number;
  readonly fmt: Format;
  /** The rule document and the path of the value in it (list items by id), when it comes from one. */
  readonly from?: { kind: string; id: string; version: number; path: readonly (string | number)[] };
}

/** What the cover says about a run. */
export interface CoverRun {
  readonly name: string;
  readonly description: string;
  readonly uses: readonly VersionUse[];
  readonly inputs: readonly CoverInput[];
}

const CONFIDENCE = /\b(OFFICIAL|SECONDARY-AGREE|SECONDARY|UNCERTAIN|DERIVED|ASSUMPTION|DEFAULT)\b/;

const text = (v: string): Cell => ({ v, fmt: 'text' });
const bold = (v: string): Cell => ({ v, fmt: 'text', heading: true });

/** The comment on a value in a YAML document (its own line's, or the nearest enclosing node's), and a `note` field beside it. */
function commentAt(doc: Document.Parsed, path: readonly (string | number)[]): string | undefined {
  for (let n = path.length; n > 0; n--) {
    const at: unknown = doc.getIn(path.slice(0, n), true);
    if (!isNode(at)) continue;
    const own = at.comment?.trim();
    if (own) return own;
    if (isMap(at)) {
      const note = at.get('note');
      if (typeof note === 'string' && n < path.length) return note;
    }
  }
  return undefined;
}

/** Where a list item with this id is in a YAML sequence (paths name list items by id). */
function resolve(doc: Document.Parsed, path: readonly (string | number)[]): (string | number)[] {
  const out: (string | number)[] = [];
  for (const k of path) {
    const at: unknown = doc.getIn(out, true);
    if (isSeq(at) && typeof k === 'string') {
      const i = at.items.findIndex((x) => isMap(x) && x.get('id') === k);
      out.push(i < 0 ? k : i);
    } else out.push(k);
  }
  return out;
}

/** The `# Sources: …` line at the top of a rule file. */
function sourcesLine(textOf: string): string {
  const m = /^#\s*Sources?:\s*(.+)$/m.exec(textOf);
  return m ? m[1]!.trim() : '';
}

/**
 * The cover sheet: the scenario's title and description, how to use the file, each run's
 * description, the rule versions used with their effective dates and sources, and every input with
 * the source and confidence its rule file gives (the comment on its value, see docs/sources.md).
 */
export function coverSheet(
  name: string,
  rules: RuleSet,
  scenario: Scenario,
  runs: readonly CoverRun[],
  where: { summary: string; checksCell: string; created: string },
): Sheet {
  const columns: Column[] = [
    { key: 'a', title: '', fmt: 'text', width: 34 },
    { key: 'b', title: '', fmt: 'text', width: 56 },
    { key: 'c', title: '', fmt: 'text', width: 14 },
    { key: 'd', title: '', fmt: 'text', width: 18 },
    { key: 'e', title: '', fmt: 'text', width: 70 },
  ];
  const rows: Cell[][] = [[{ v: scenario.title ?? scenario.id, fmt: 'text', heading: true }]];
  const line = (...cells: Cell[]) => rows.push(cells);
  const gap = () => rows.push([]);
  line(text('Scenario'), text(`${scenario.id} v${scenario.version} (effective ${scenario.effective_from}, ${scenario.status})`));
  if (scenario.description) line(text('Description'), text(scenario.description));
  line(text('Created'), text(where.created));
  line(text('Horizon'), text(`${scenario.horizon} ${scenario.granularity === 'day' ? 'days' : 'months'} from ${scenario.start}`));
  gap();
  line(bold('How to use this file'));
  for (const how of [
    'Yellow cells with blue figures are inputs (Assumptions, Rate card, Demand): change one and every sheet recomputes, in Excel or LibreOffice.',
    'Each input accepts only what the engine accepts (data validation): a value out of bounds is refused.',
    'In a variant’s column, a figure computed as =base_… inherits the base run’s input: change the base once; type a value over it to override it for that variant.',
    'Grey italic text is set in the scenario (plan, tier, billing, policies): changing it changes nothing; a different plan is another run.',
    `${where.summary}!${where.checksCell} says OK while every check on the Checks sheet holds (each is 0), ERROR as soon as one does not: a figure overwritten by hand shows there.`,
    'Every other figure is a formula: the Summary totals each run’s Ledger; Demand, Ledger, Lots and Revenue have one column per period.',
    'Rows and columns behind a + button are kept live but out of the way: auto top-ups that buy nothing as exported (an edit can make one buy), and lines of policies a run does not have.',
    'A seasonal factor is an input in its month of the first year; the same month of a later year follows it.',
  ])
    line(text(''), text(how));
  gap();
  line(bold('Runs'), bold('Description'));
  for (const r of runs) line(text(r.name), text(r.description));
  gap();
  line(bold('Rule versions used'), bold('Document'), bold('Effective from'), bold('Used'), bold('Sources'));
  const seen = new Set<string>();
  for (const r of runs) {
    for (const u of r.uses) {
      const k = `${u.kind}/${u.id}/${u.version}`;
      if (seen.has(k)) continue;
      seen.add(k);
      const loaded = rules.get(u.kind as 'RateCard', u.id, u.version);
      line(
        text(u.kind),
        text(`${u.id} v${u.version}`),
        text(u.effective_from),
        text(u.from === u.to ? u.from : `${u.from} to ${u.to}`),
        text(loaded ? sourcesLine(loaded.source.text) : ''),
      );
    }
  }
  gap();
  line(bold('Inputs and their sources'), bold('Run'), bold('Value'), bold('Confidence'), bold('Source (the rule file’s note; docs/sources.md)'));
  const listed = new Set<string>();
  for (const r of runs) {
    for (const x of r.inputs) {
      const doc = x.from ? rules.get(x.from.kind as 'RateCard', x.from.id, x.from.version) : undefined;
      const note = doc && x.from ? commentAt(doc.source.yaml, resolve(doc.source.yaml, x.from.path)) : undefined;
      const key = `${x.label}|${x.value}|${x.from ? `${x.from.id}@${x.from.version}` : r.name}`;
      // An input a variant inherits from the base is listed once, under the base.
      if (listed.has(key)) continue;
      listed.add(key);
      const confidence = note ? (CONFIDENCE.exec(note)?.[1]?.toLowerCase() ?? '') : '';
      line(
        text(x.label),
        text(r.name),
        { v: x.value, fmt: x.fmt },
        text(confidence),
        text(note ?? (x.from ? `${x.from.kind} ${x.from.id} v${x.from.version}` : 'the scenario')),
      );
    }
  }
  return { name, columns, rows, frozen: 0 };
}
