import { reviewState, todayUtc, type Kind, type LoadedDocument, type ReviewEvent, type ReviewState, type RuleSet, type Status } from '@creditbook/engine';

/** One version of a document, as the Rules page and the history list it. */
export interface VersionSummary {
  version: number;
  status: Status;
  /** Where the version stands in review (editing, submitted, approved, rejected, published, withdrawn). */
  review: ReviewState;
  /** Who submitted, approved, rejected, published or withdrew it, when and why. */
  trail: ReviewEvent[];
  effective_from: string;
  author: string;
  saved_at: string;
  note: string | null;
  based_on: number | null;
  published_by: string | null;
  published_at: string | null;
  file: string;
  /** Whether this is the version in force today. */
  in_force: boolean;
}

/** A document with all its versions, oldest first. */
export interface DocumentSummary {
  kind: Kind;
  id: string;
  title: string;
  latest: number;
  in_force: number | null;
  versions: VersionSummary[];
}

function summarize(d: LoadedDocument, inForce: number | null): VersionSummary {
  const a = d.doc.audit;
  return {
    version: d.doc.version,
    status: d.doc.status,
    review: reviewState(d.doc),
    trail: a.trail ?? [],
    effective_from: d.doc.effective_from,
    author: a.author,
    saved_at: a.saved_at,
    note: a.note ?? null,
    based_on: a.based_on ?? null,
    published_by: a.published_by ?? null,
    published_at: a.published_at ?? null,
    file: d.source.file,
    in_force: d.doc.version === inForce,
  };
}

/** Every version of one document, or undefined when there is none. */
export function documentSummary(rules: RuleSet, kind: Kind, id: string, today = todayUtc()): DocumentSummary | undefined {
  const versions = rules.versions(kind, id);
  if (versions.length === 0) return undefined;
  const inForce = rules.inForce(kind, id, today)?.doc.version ?? null;
  const latest = versions[versions.length - 1]!;
  return {
    kind,
    id,
    title:
      versions
        .map((v) => v.doc.title)
        .filter(Boolean)
        .pop() ?? id,
    latest: latest.doc.version,
    in_force: inForce,
    versions: versions.map((v) => summarize(v, inForce)),
  };
}

const ORDER: Kind[] = ['RateCard', 'PlanCatalog', 'ValidityPolicy', 'Scenario', 'PlatformMap'];

/** Every document of the store, rate cards first. */
export function listDocuments(rules: RuleSet, today = todayUtc()): DocumentSummary[] {
  return ORDER.flatMap((kind) =>
    rules
      .ids(kind)
      .sort()
      .map((id) => documentSummary(rules, kind, id, today)!),
  );
}
