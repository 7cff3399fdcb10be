import type { DemandLine, MappedOutput, MappedPlatform, PlatformMap, PlatformOutput, Profile, Purchases, Scenario } from '../rules/types.ts';

/** The output class of a reference request: the first output with a `match` whose every field equals the request's. */
export function outputOf(map: PlatformMap, request: Readonly<Record<string, string | number>>): MappedOutput | undefined {
  return map.outputs.find((o) => o.match.some((m) => Object.entries(m).every(([k, v]) => request[k] === v)));
}

/** A platform of a map by id. */
export function platformOf(map: PlatformMap, id: string): MappedPlatform | undefined {
  return map.platforms.find((p) => p.id === id);
}

/** How a platform serves an output; a platform the output does not name cannot serve it. */
export function servingOf(output: MappedOutput, platform: string): PlatformOutput {
  return output.on[platform] ?? { unavailable: `output '${output.id}' names no ${platform} request` };
}

function scaledProfile(profile: Profile | undefined, times: number): Profile | undefined {
  if (!profile || times === 1 || profile.type !== 'burst') return profile;
  return { ...profile, bursts: profile.bursts.map((b) => ({ ...b, count: b.count * times })) };
}

/** A demand line of the reference scenario as the platform makes it: its request, `generations` times the count. */
export function mappedLine(line: DemandLine, serving: Extract<PlatformOutput, { request: unknown }>, pool: string): DemandLine {
  const times = serving.generations ?? 1;
  const out: DemandLine = { id: line.id, pool, request: { ...serving.request }, count: line.count * times };
  const profile = scaledProfile(line.profile, times);
  if (profile) out.profile = profile;
  return out;
}

/** The scenario a platform runs: the reference demand in the platform's requests, on its plan, validity and card. */
export function platformScenario(
  scenario: Scenario,
  platform: MappedPlatform,
  pool: string,
  demand: DemandLine[],
  plan: { tier: string; billing: 'monthly' | 'annual' },
  purchases: Purchases,
): Scenario {
  const s: Scenario = {
    kind: 'Scenario',
    id: scenario.id,
    version: scenario.version,
    effective_from: scenario.effective_from,
    status: scenario.status,
    audit: scenario.audit,
    start: scenario.start,
    horizon: scenario.horizon,
    plan: { catalog: platform.catalog, subscription: plan.tier, billing: plan.billing },
    rules: { validity: platform.validity, cards: { [pool]: platform.card } },
    demand,
    purchases,
  };
  if (scenario.currency) s.currency = scenario.currency;
  if (scenario.granularity) s.granularity = scenario.granularity;
  return s;
}
