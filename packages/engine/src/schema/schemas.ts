import common from '../../schemas/common.schema.json' with { type: 'json' };
import rateCard from '../../schemas/rate-card.schema.json' with { type: 'json' };
import planCatalog from '../../schemas/plan-catalog.schema.json' with { type: 'json' };
import validityPolicy from '../../schemas/validity-policy.schema.json' with { type: 'json' };
import scenario from '../../schemas/scenario.schema.json' with { type: 'json' };
import platformMap from '../../schemas/platform-map.schema.json' with { type: 'json' };
import portfolio from '../../schemas/portfolio.schema.json' with { type: 'json' };
import type { Kind } from '../rules/types.ts';

/** The JSON Schema of each document kind. */
export const SCHEMAS: Readonly<Record<Kind, object>> = {
  RateCard: rateCard,
  PlanCatalog: planCatalog,
  ValidityPolicy: validityPolicy,
  Scenario: scenario,
  PlatformMap: platformMap,
  Portfolio: portfolio,
};

/** The definitions the kinds' schemas refer to. */
export const COMMON_SCHEMA: object = common;
