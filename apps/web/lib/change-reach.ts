/** What share of customers and of volume a rate-card change reaches in the loaded usage (docs/usage.md#reach). */
import { formatDiagnostic, type RuleSet } from '@creditbook/engine';
import { changeReach, type ChangeReach } from '@creditbook/usage';
import { usageEvents, withUsageDb } from './usage-db.ts';

/** The reach of a change from card version `a` to `b` over all the loaded usage; the problem when it cannot be measured. */
export type UsageReach = ({ ok: true } & ChangeReach) | { ok: false; problems: string[] };

/** Undefined when no usage is loaded. */
export async function usageReach(rules: RuleSet, id: string, a: number, b: number): Promise<UsageReach | undefined> {
  if ((await usageEvents()) === 0) return undefined;
  const r = await withUsageDb((db) => changeReach(db, rules, { card: id, from: a, to: b }));
  return r.ok ? { ok: true, ...r.result } : { ok: false, problems: r.errors.map((e) => formatDiagnostic(e)) };
}
