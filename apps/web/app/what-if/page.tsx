import type { Metadata } from 'next';
import { AppShell, PageHead } from '@/components/AppShell.tsx';
import { requireUser } from '@/lib/auth.ts';
import { allowedCombos } from '@/lib/combos.ts';
import { loadRules } from '@/lib/store.ts';
import { PlatformsView } from '@/components/PlatformsView.tsx';
import { WhatIf, type ScenarioChoice, type WhatIfState } from './WhatIf.tsx';

export const metadata: Metadata = { title: 'What-if' };

export default async function WhatIfPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const user = await requireUser('/what-if');
  const q = await searchParams;
  const rules = (await loadRules()).result.rules;
  const scenarios: ScenarioChoice[] = rules
    .ids('Scenario')
    .sort()
    .map((id) => {
      const s = rules.latest('Scenario', id)!.doc;
      const catalog = rules.latest('PlanCatalog', s.plan.catalog)?.doc;
      const cards = Object.entries(s.rules.cards).map(([pool, cardId]) => {
        const versions = rules.versions('RateCard', cardId);
        const latest = versions[versions.length - 1]?.doc;
        return {
          pool,
          id: cardId,
          versions: versions.map((v) => ({ version: v.doc.version, status: v.doc.status, effective_from: v.doc.effective_from })),
          models: (latest?.dimensions['model']?.values ?? []).map(String),
          modes: (latest?.dimensions['mode']?.values ?? []).map(String),
          combos: latest?.kind === 'RateCard' ? allowedCombos(latest) : [],
        };
      });
      return {
        id,
        title: s.title ?? id,
        description: s.description ?? '',
        start: s.start,
        horizon: s.horizon,
        subscription: s.plan.subscription ?? null,
        billing: s.plan.billing ?? 'monthly',
        validity: s.rules.validity,
        variants: (s.variants ?? []).map((v) => ({
          name: v.name,
          description: v.description ?? '',
          spec: JSON.parse(JSON.stringify(v)) as Record<string, unknown>,
        })),
        subscriptions: (catalog?.subscriptions ?? []).map((t) => ({
          id: t.id,
          name: t.name ?? t.id,
          price_month: String(t.price_month),
          credits: t.credits_per_month,
        })),
        cards,
        demandModels: [...new Set(s.demand.map((d) => String(d.request['model'] ?? '')))].filter(Boolean),
      };
    });
  const policies = rules
    .ids('ValidityPolicy')
    .sort()
    .map((id) => ({ id, title: rules.latest('ValidityPolicy', id)?.doc.title ?? id }));
  const scenario = scenarios.find((s) => s.id === q['scenario'])?.id ?? scenarios.find((s) => s.id === 'agency-campaigns')?.id ?? scenarios[0]?.id ?? '';
  // The URL carries the state (shareable, survives a reload): ?scenario=&variant=A&variant=B&custom=[...]
  const named = q['variant'] === undefined ? (q['variants'] === 'none' ? [] : undefined) : [q['variant']].flat();
  let custom: unknown;
  try {
    custom = typeof q['custom'] === 'string' ? JSON.parse(q['custom']) : undefined;
  } catch {
    custom = undefined;
  }
  const initial: WhatIfState = { scenario, ...(named ? { variants: named } : {}), ...(custom === undefined ? {} : { custom }) };
  return (
    <AppShell user={user}>
      <PageHead title="What-if" sub="Run a scenario against its variants, or variants you make here, side by side. Export downloads exactly this comparison." />
      <WhatIf key={JSON.stringify(initial)} scenarios={scenarios} policies={policies} initial={initial} />
      <PlatformsView key={`platforms-${scenario}`} scenarios={scenarios.map((s) => ({ id: s.id, title: s.title }))} initial={scenario} />
    </AppShell>
  );
}
