import type { Metadata } from 'next';
import { todayUtc, type Dimension } from '@creditbook/engine';
import { allowedCombos } from '@/lib/combos.ts';
import type { Rate } from '@/lib/money.ts';
import { AppShell, PageHead } from '@/components/AppShell.tsx';
import { requireUser } from '@/lib/auth.ts';
import { loadRules } from '@/lib/store.ts';
import { QuoteForm, type CardChoice } from './QuoteForm.tsx';

export const metadata: Metadata = { title: 'Quote' };

export default async function QuotePage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const user = await requireUser('/quote');
  const q = await searchParams;
  const rules = (await loadRules()).result.rules;
  // What a generation costs at each plan's rate, per pool: tiers per month, packs, API packages.
  const rates: Record<string, Rate[]> = {};
  for (const id of rules.ids('PlanCatalog').sort()) {
    const c = (rules.inForce('PlanCatalog', id, todayUtc()) ?? rules.latest('PlanCatalog', id))!.doc;
    // Each rate names its catalog: two catalogs may both sell a 'Pro' tier at different prices.
    const add = (pool: string, r: Rate) => (r.credits > 0 ? (rates[pool] ??= []).push({ ...r, name: `${id}: ${r.name}` }) : undefined);
    for (const t of c.subscriptions ?? [])
      add(t.pool, { name: `${t.name ?? t.id} (a month)`, price: String(t.price_month), credits: t.credits_per_month, currency: c.currency });
    for (const t of c.top_ups ?? []) add(t.pool, { name: t.name ?? t.id, price: String(t.price), credits: t.credits, currency: c.currency });
    for (const t of [...(c.api_packages ?? []), ...(c.custom_packages ?? [])])
      add(t.pool, { name: t.name ?? t.id, price: String(t.price), credits: t.credits, currency: c.currency });
  }
  const cards: CardChoice[] = rules
    .ids('RateCard')
    .sort()
    .map((id) => {
      const versions = rules.versions('RateCard', id);
      const dims: Record<string, Dimension> = {};
      // The union of every version's dimensions, so an older date can still be asked about.
      for (const v of versions) {
        for (const [name, d] of Object.entries(v.doc.dimensions)) {
          const seen = dims[name];
          if (!seen) dims[name] = { ...d, ...(d.values ? { values: [...d.values] } : {}) };
          else if (d.values && seen.values) for (const x of d.values) if (!seen.values.some((y) => String(y) === String(x))) seen.values.push(x);
        }
      }
      const latest = versions[versions.length - 1]!.doc;
      return {
        id,
        title: latest.title ?? id,
        unit: latest.unit?.name ?? 'credits',
        dimensions: dims,
        pool: latest.pool,
        versions: versions.map((v) => ({ version: v.doc.version, status: v.doc.status, effective_from: v.doc.effective_from, combos: allowedCombos(v.doc) })),
      };
    });
  return (
    <AppShell user={user}>
      <PageHead title="Quote" sub="Credits for one generation, with the card version in force on the date and every step of the calculation." />
      <QuoteForm
        cards={cards}
        rates={rates}
        today={todayUtc()}
        initial={Object.fromEntries(Object.entries(q).filter((e): e is [string, string] => typeof e[1] === 'string'))}
        fallback={cards.some((c) => c.id === 'kling-consumer') ? 'kling-consumer' : (cards[0]?.id ?? '')}
      />
    </AppShell>
  );
}
