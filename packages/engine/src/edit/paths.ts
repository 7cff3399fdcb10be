import type { Kind } from '../rules/types.ts';

const FOLDERS: Record<Kind, string> = {
  RateCard: 'rate-cards',
  PlanCatalog: 'plans',
  ValidityPolicy: 'validity',
  Scenario: 'scenarios',
  PlatformMap: 'platforms',
  Portfolio: 'portfolios',
};

/** Ids are lower-case words joined by dashes: never a path. */
export const ID_PATTERN = /^[a-z0-9][a-z0-9-]{0,63}$/;

/** Where a saved version lives in the store: `<folder>/<id>/v<version>.yaml`. */
export function documentPath(kind: Kind, id: string, version: number): string {
  if (!ID_PATTERN.test(id)) throw new Error(`T_BAD_ID not a valid document id: ${JSON.stringify(id)}`);
  return `${FOLDERS[kind]}/${id}/v${version}.yaml`;
}
