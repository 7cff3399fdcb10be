import type { Metadata } from 'next';
import { AppShell, PageHead } from '@/components/AppShell.tsx';
import { requireUser } from '@/lib/auth.ts';
import { loadRules } from '@/lib/store.ts';
import { PortfolioView, type PortfolioChoice } from './PortfolioView.tsx';

export const metadata: Metadata = { title: 'Portfolio' };

export default async function PortfolioPage() {
  const user = await requireUser('/portfolio');
  const rules = (await loadRules()).result.rules;
  const portfolios: PortfolioChoice[] = rules
    .ids('Portfolio')
    .sort()
    .map((id) => {
      const p = rules.latest('Portfolio', id)!.doc;
      return {
        id,
        title: p.title ?? id,
        description: p.description ?? '',
        cohorts: p.cohorts.map((c) => ({ id: c.id, scenario: c.scenario })),
        variants: (p.variants ?? []).map((v) => ({ name: v.name, description: v.description ?? '' })),
      };
    });
  return (
    <AppShell user={user}>
      <PageHead
        title="Portfolio"
        sub="The whole customer base as cohorts: money, breakage and credits outstanding per month, with P10–P90 bands over seeded runs, per cohort, and variants side by side."
      />
      <PortfolioView portfolios={portfolios} />
    </AppShell>
  );
}
