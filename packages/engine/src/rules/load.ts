import { LRUCache } from 'lru-cache';
import { diagnostic, type Code, type Diagnostic } from '../diagnostics/index.ts';
import { problemAt } from './problem.ts';
import { compileFormula, impureFunctions, stepBudget, unknownVariables, type StepBudget } from '../formula/index.ts';
import { validateSchema } from '../schema/index.ts';
import { priceCard, type CardPricing } from '../quote/grid.ts';
import { isCalendarDate } from './dates.ts';
import { parseRuleFile } from './parse.ts';
import { RuleSet, type LoadedDocument } from './ruleset.ts';
import { pointerSegments, rangeAt, scalarAt, scalarValueOffset, type PathSegment, type SourceDocument } from './source.ts';
import type { StoredFile, RuleStore } from './store.ts';
import { KINDS, type Kind, type PlanCatalog, type PlatformMap, type Portfolio, type RateCard, type RuleDocument, type Scenario } from './types.ts';
import { checkScenarioReferences } from './references.ts';
import { checkPortfolioReferences } from '../portfolio/check.ts';
import { checkManifest, MANIFEST_PATH } from './manifest.ts';
import { checkPlatformMap } from '../platforms/check.ts';

/** Everything a load found: the usable documents, and every problem collected together. */
export interface LoadResult {
  readonly rules: RuleSet;
  readonly errors: Diagnostic[];
  readonly warnings: Diagnostic[];
  /** Every rate card's priced grid and examples, by file (so a preview never prices twice). */
  readonly pricing: ReadonlyMap<string, CardPricing>;
}

export interface LoadOptions {
  /** Called after each file is parsed and schema-checked: files done, files in all. */
  onProgress?: (done: number, total: number) => void;
  /** The request's step budget, shared by every formula evaluation of the load (a fresh one by default). */
  budget?: StepBudget;
}

/** Loads every document of a store, and checks its published files against the store's manifest. */
export async function loadStore(store: RuleStore, options: LoadOptions = {}): Promise<LoadResult> {
  const files = await store.list();
  return loadCheckedFiles(files, await store.read(MANIFEST_PATH), options);
}

/** Loads a store's files (already read) and checks its published files against its manifest's text (none: no check). */
export async function loadCheckedFiles(files: readonly StoredFile[], manifest: string | undefined, options: LoadOptions = {}): Promise<LoadResult> {
  const result = await loadFiles(files, options);
  const tampered = await checkManifest(files, result.rules.documents, { text: manifest });
  return tampered.length === 0 ? result : { ...result, errors: sortDiagnostics([...result.errors, ...tampered]) };
}

/**
 * Parses, validates and cross-checks rule files; runs every card's examples.
 * The result does not depend on the order the files are given in.
 */
export async function loadFiles(files: readonly StoredFile[], options: LoadOptions = {}): Promise<LoadResult> {
  const budget = options.budget ?? stepBudget();
  const pricing = new Map<string, CardPricing>();
  const errors: Diagnostic[] = [];
  const warnings: Diagnostic[] = [];
  const loaded: LoadedDocument[] = [];
  const sorted = [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  for (const [i, f] of sorted.entries()) {
    const doc = loadOne(f, errors);
    if (doc) loaded.push(doc);
    options.onProgress?.(i + 1, sorted.length);
  }
  const unique = dropDuplicates(loaded, errors);
  checkEffectiveOrder(unique, errors);
  for (const d of unique) {
    if (d.doc.kind === 'RateCard') {
      const priced = await checkRateCard(d as LoadedDocument<RateCard>, errors, budget);
      if (priced) pricing.set(d.source.file, priced);
    }
    if (d.doc.kind === 'PlanCatalog') checkCatalog(d as LoadedDocument<PlanCatalog>, errors);
  }
  const rules = new RuleSet(unique);
  for (const d of unique) {
    if (d.doc.kind === 'Scenario') errors.push(...checkScenarioReferences(rules, d as LoadedDocument<Scenario>));
    if (d.doc.kind === 'PlatformMap') errors.push(...(await checkPlatformMap(rules, d as LoadedDocument<PlatformMap>)));
    if (d.doc.kind === 'Portfolio') errors.push(...checkPortfolioReferences(rules, d as LoadedDocument<Portfolio>));
  }
  return { rules, errors: sortDiagnostics(errors), warnings: sortDiagnostics(warnings), pricing };
}

/** Files first, then position: a stable order for reports. */
export function sortDiagnostics(list: Diagnostic[]): Diagnostic[] {
  return list.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.pos[0] - b.pos[0] || a.code.localeCompare(b.code)));
}

/**
 * What parsing and schema-checking a file gave, by its path and text: a store is loaded again and
 * again (every preview of an edit loads it with the edit in), and its unchanged files give the same
 * documents and problems each time. Bounded by the text held (documents are never changed in place).
 */
const PARSED_BYTES = 2 * 2 ** 20;
const parsedFiles = new LRUCache<string, { doc: LoadedDocument | undefined; errors: readonly Diagnostic[] }>({
  maxSize: PARSED_BYTES,
  maxEntrySize: PARSED_BYTES / 16,
  sizeCalculation: (_value, key) => key.length,
});

/** Parses and schema-checks one file (remembered by its path and text); returns the document when it is usable. */
export function loadOne(f: StoredFile, errors: Diagnostic[]): LoadedDocument | undefined {
  const key = `${f.path}\0${f.text}`;
  const hit = parsedFiles.get(key);
  if (hit) {
    errors.push(...hit.errors);
    return hit.doc;
  }
  const found: Diagnostic[] = [];
  const doc = parseOne(f, found);
  errors.push(...found);
  parsedFiles.set(key, { doc, errors: found });
  return doc;
}

function parseOne(f: StoredFile, errors: Diagnostic[]): LoadedDocument | undefined {
  const parsed = parseRuleFile(f.path, f.text);
  errors.push(...parsed.errors);
  const src = parsed.source;
  if (!src || parsed.errors.length > 0) return undefined;
  const data = parsed.data as Record<string, unknown>;
  const kind = data['kind'];
  if (typeof kind !== 'string' || !(KINDS as readonly string[]).includes(kind)) {
    const detail = kind === undefined ? "(missing 'kind')" : `${typeof kind === 'string' ? `'${kind}'` : JSON.stringify(kind)} (expected ${KINDS.join(', ')})`;
    errors.push(problemAt(src, 'S_UNKNOWN_KIND', detail, kind === undefined ? [] : ['kind']));
    return undefined;
  }
  const issues = validateSchema(kind as Kind, data);
  for (const issue of issues) errors.push(problemAt(src, 'S_SCHEMA', issue.message, pointerSegments(issue.path), issue.key));
  if (issues.length > 0) return undefined;
  const doc = data as unknown as RuleDocument;
  let ok = true;
  for (const [path, value] of datesOf(doc)) {
    if (!isCalendarDate(value)) {
      errors.push(problemAt(src, 'R_BAD_DATE', `'${value}'`, path));
      ok = false;
    }
  }
  return ok ? { doc, source: src } : undefined;
}

function datesOf(doc: RuleDocument): [PathSegment[], string][] {
  const out: [PathSegment[], string][] = [[['effective_from'], doc.effective_from]];
  const saved = doc.audit.saved_at.slice(0, 10);
  out.push([['audit', 'saved_at'], saved]);
  return out;
}

function dropDuplicates(docs: LoadedDocument[], errors: Diagnostic[]): LoadedDocument[] {
  const seen = new Map<string, LoadedDocument>();
  const out: LoadedDocument[] = [];
  for (const d of docs) {
    const key = `${d.doc.kind}/${d.doc.id}/${d.doc.version}`;
    const first = seen.get(key);
    if (first) {
      errors.push(problemAt(d.source, 'R_DUPLICATE_VERSION', `${d.doc.kind} ${d.doc.id} v${d.doc.version} is also in ${first.source.file}`, ['version']));
      continue;
    }
    seen.set(key, d);
    out.push(d);
  }
  return out;
}

/** A later published version must not take effect before an earlier one. */
function checkEffectiveOrder(docs: LoadedDocument[], errors: Diagnostic[]): void {
  const groups = new Map<string, LoadedDocument[]>();
  for (const d of docs) {
    if (d.doc.status !== 'published') continue;
    const key = `${d.doc.kind}/${d.doc.id}`;
    groups.set(key, [...(groups.get(key) ?? []), d]);
  }
  for (const group of groups.values()) {
    group.sort((a, b) => a.doc.version - b.doc.version);
    for (let i = 1; i < group.length; i++) {
      const prev = group[i - 1]!;
      const cur = group[i]!;
      if (cur.doc.effective_from < prev.doc.effective_from) {
        errors.push(
          problemAt(cur.source, 'R_EFFECTIVE_ORDER', `v${cur.doc.version} takes effect ${cur.doc.effective_from}, before v${prev.doc.version} (${prev.doc.effective_from})`, ['effective_from']),
        );
      }
    }
  }
}

function formulaProblem(src: SourceDocument, code: Code, detail: string, offset: number, length: number): Diagnostic {
  const scalar = scalarAt(src, ['credits']);
  // An error at the end of the formula points at its last character, not the line after it.
  const last = Math.max(0, String(scalar?.value ?? '').trimEnd().length - 1);
  offset = Math.min(offset, last);
  const start = scalar ? scalarValueOffset(src.text, scalar, offset) : rangeAt(src, ['credits'])[0];
  return diagnostic({ code, detail, file: src.file, pos: [start, start + length], path: '/credits', source: src.text });
}

/** Checks a card; when its formula compiles, prices every request it allows and its examples. */
async function checkRateCard(d: LoadedDocument<RateCard>, errors: Diagnostic[], budget: StepBudget): Promise<CardPricing | undefined> {
  const card = d.doc;
  const src = d.source;
  const compiled = compileFormula(card.credits);
  if (!compiled.ok) {
    const p = compiled.problem;
    errors.push(formulaProblem(src, 'F_COMPILE', `${p.code}: ${p.message}`, p.offset, p.length));
    return undefined;
  }
  const params = new Set(Object.keys(card.parameters ?? {}));
  const unknown = unknownVariables(compiled.formula, params);
  for (const name of unknown) {
    const offset = findVariable(card.credits, name);
    errors.push(formulaProblem(src, 'F_UNKNOWN_PARAMETER', `$${name} (parameters: ${[...params].join(', ') || 'none'})`, offset, name.length + 1));
  }
  const impure = impureFunctions(compiled.formula, params);
  for (const name of impure) {
    errors.push(formulaProblem(src, 'F_IMPURE', `$${name}()`, findVariable(card.credits, name), name.length + 1));
  }
  const dims = card.dimensions;
  for (const [name, dim] of Object.entries(dims)) {
    if (dim.default !== undefined && dim.values && !dim.values.some((v) => String(v) === String(dim.default))) {
      errors.push(problemAt(src, 'R_DIMENSION', `default '${String(dim.default)}' of ${name} is not one of its values`, ['dimensions', name, 'default']));
    }
  }
  (card.constraints ?? []).forEach((c, i) => {
    for (const [k, v] of [...Object.entries(c.when).map(([k, v]) => [k, [v]] as const), ...Object.entries(c.allow)]) {
      const dim = dims[k];
      const part = k in c.when ? 'when' : 'allow';
      if (!dim) {
        errors.push(problemAt(src, 'R_DIMENSION', `constraint names unknown dimension '${k}'`, ['constraints', i, part], k));
        continue;
      }
      for (const value of v) {
        if (dim.values && !dim.values.some((x) => String(x) === String(value))) {
          errors.push(problemAt(src, 'R_DIMENSION', `'${String(value)}' is not a value of ${k}`, ['constraints', i, part, k]));
        }
      }
    }
  });
  // A formula that reads what does not exist, or what changes from call to call, has no prices to check.
  if (unknown.length > 0 || impure.length > 0) return undefined;
  const pricing = await priceCard(card, { budget });
  // One problem per bad parameter cell, at that cell; failures no single cell explains, at the formula.
  for (const p of pricing.problems) {
    if (p.parameter) errors.push(problemAt(src, p.code, p.detail, ['parameters', ...p.parameter]));
    else if (p.code === 'R_GRID_TOO_LARGE') errors.push(problemAt(src, p.code, p.detail, ['dimensions']));
    else errors.push(formulaProblem(src, p.code, p.detail, 0, 1));
  }
  for (const { index, request, expected, priced } of pricing.examples) {
    // A spent budget is reported once, above; a request the grid already reports is not repeated.
    if (!priced.ok && priced.code === 'F_BUDGET') continue;
    if (!priced.ok) {
      if (priced.code !== 'Q_DIMENSION' && pricing.cells.some((c) => c.priced === priced)) continue;
      errors.push(problemAt(src, 'E_EXAMPLE_FAILED', `${describe(request)}: ${priced.code} ${priced.detail}`, ['examples', index]));
    } else if (priced.credits !== expected) {
      errors.push(problemAt(src, 'E_EXAMPLE_FAILED', `${describe(request)} expected ${expected} credits, formula gives ${priced.credits}`, ['examples', index, 'credits']));
    }
  }
  return pricing;
}

function describe(request: Record<string, unknown>): string {
  return Object.entries(request)
    .map(([k, v]) => `${k}=${String(v)}`)
    .join(' ');
}

/** Offset of `$name` as a whole variable in the formula text. */
function findVariable(text: string, name: string): number {
  const re = new RegExp(`\\$${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?![A-Za-z0-9_])`);
  const m = re.exec(text);
  return m ? m.index : 0;
}

function checkCatalog(d: LoadedDocument<PlanCatalog>, errors: Diagnostic[]): void {
  const seen = new Map<string, string>();
  for (const list of ['subscriptions', 'top_ups', 'api_packages', 'custom_packages'] as const) {
    (d.doc[list] ?? []).forEach((item, i) => {
      const where = seen.get(item.id);
      if (where) errors.push(problemAt(d.source, 'R_DUPLICATE_ID', `'${item.id}' is used twice (also in ${where})`, [list, i, 'id']));
      else seen.set(item.id, list);
    });
  }
}
