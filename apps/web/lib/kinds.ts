/** Document kinds as they appear in URLs and headings. Safe to import in the browser. */
export type KindName = 'RateCard' | 'PlanCatalog' | 'ValidityPolicy' | 'Scenario' | 'PlatformMap' | 'Portfolio';

export const KIND_SLUGS: Record<KindName, string> = {
  RateCard: 'rate-card',
  PlanCatalog: 'plan-catalog',
  ValidityPolicy: 'validity-policy',
  Scenario: 'scenario',
  PlatformMap: 'platform-map',
  Portfolio: 'portfolio',
};

export const KIND_LABELS: Record<KindName, string> = {
  RateCard: 'Rate card',
  PlanCatalog: 'Plan catalog',
  ValidityPolicy: 'Validity policy',
  Scenario: 'Scenario',
  PlatformMap: 'Platform map',
  Portfolio: 'Portfolio',
};

/** The kind a URL segment names: a slug (rate-card) or the kind itself (RateCard); undefined when neither. */
export function kindFromSlug(slug: string): KindName | undefined {
  for (const [kind, s] of Object.entries(KIND_SLUGS) as [KindName, string][]) {
    if (s === slug || kind === slug) return kind;
  }
  return undefined;
}

/** The app path of a document, or of one of its versions. */
export function documentHref(kind: KindName, id: string, version?: number): string {
  const base = `/rules/${KIND_SLUGS[kind]}/${encodeURIComponent(id)}`;
  return version === undefined ? base : `${base}/v/${version}`;
}
