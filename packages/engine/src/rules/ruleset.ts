import type { SourceDocument } from './source.ts';
import type { Kind, PlanCatalog, PlatformMap, Portfolio, RateCard, RuleDocument, Scenario, ValidityPolicy } from './types.ts';

/** A document as loaded: its data and the source it came from. */
export interface LoadedDocument<T extends RuleDocument = RuleDocument> {
  readonly doc: T;
  readonly source: SourceDocument;
}

type ByKind = { RateCard: RateCard; PlanCatalog: PlanCatalog; ValidityPolicy: ValidityPolicy; Scenario: Scenario; PlatformMap: PlatformMap; Portfolio: Portfolio };

/** The loaded documents with version resolution by date. Immutable once built. */
export class RuleSet {
  private readonly byKey = new Map<string, LoadedDocument[]>();
  readonly documents: readonly LoadedDocument[];

  constructor(documents: readonly LoadedDocument[]) {
    this.documents = [...documents].sort(
      (a, b) => a.doc.kind.localeCompare(b.doc.kind) || a.doc.id.localeCompare(b.doc.id) || a.doc.version - b.doc.version,
    );
    for (const d of this.documents) {
      const key = `${d.doc.kind}/${d.doc.id}`;
      const list = this.byKey.get(key) ?? [];
      list.push(d);
      this.byKey.set(key, list);
    }
  }

  /** Every version of a document, oldest first. */
  versions<K extends Kind>(kind: K, id: string): readonly LoadedDocument<ByKind[K]>[] {
    return (this.byKey.get(`${kind}/${id}`) ?? []) as LoadedDocument<ByKind[K]>[];
  }

  /** Ids of every document of a kind. */
  ids(kind: Kind): string[] {
    return [...new Set(this.documents.filter((d) => d.doc.kind === kind).map((d) => d.doc.id))];
  }

  /** One version, draft or published. */
  get<K extends Kind>(kind: K, id: string, version: number): LoadedDocument<ByKind[K]> | undefined {
    return this.versions(kind, id).find((d) => d.doc.version === version);
  }

  /** The newest version (draft or published). */
  latest<K extends Kind>(kind: K, id: string): LoadedDocument<ByKind[K]> | undefined {
    const all = this.versions(kind, id);
    return all[all.length - 1];
  }

  /** The version in force on a date: the highest published version whose effective_from is on or before it. */
  inForce<K extends Kind>(kind: K, id: string, date: string): LoadedDocument<ByKind[K]> | undefined {
    let best: LoadedDocument<ByKind[K]> | undefined;
    for (const d of this.versions(kind, id)) {
      if (d.doc.status === 'published' && d.doc.effective_from <= date && (!best || d.doc.version > best.doc.version)) best = d;
    }
    return best;
  }

  /** The version a pin selects: a number picks that version; 'effective' or none follows the date. */
  resolve<K extends Kind>(kind: K, id: string, date: string, pin?: number | 'effective'): LoadedDocument<ByKind[K]> | undefined {
    return typeof pin === 'number' ? this.get(kind, id, pin) : this.inForce(kind, id, date);
  }

  /** A new rule set with documents replaced or added (same kind/id/version replaces). */
  with(documents: readonly LoadedDocument[]): RuleSet {
    const key = (d: LoadedDocument) => `${d.doc.kind}/${d.doc.id}/${d.doc.version}`;
    const replaced = new Set(documents.map(key));
    return new RuleSet([...this.documents.filter((d) => !replaced.has(key(d))), ...documents]);
  }
}
