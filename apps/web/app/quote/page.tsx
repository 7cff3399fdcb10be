import type { Metadata } from 'next';
import { todayUtc, type Dimension } from '@creditbook/engine';
import { AppShell, PageHead } from '@/components/AppShell.tsx';
import { requireUser } from '@/lib/auth.ts';
import { loadRules } from '@/lib/store.ts';
import { QuoteForm, type CardChoice } from './QuoteForm.tsx';

export const metadata: Metadata = { title: 'Quote' };

export default async function QuotePage() {
  const user = await requireUser('/quote');
  const rules = (await loadRules()).result.rules;
  const cards: CardChoice[] = rules.ids('RateCard').sort().map((id) => {
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
      versions: versions.map((v) => ({ version: v.doc.version, status: v.doc.status, effective_from: v.doc.effective_from })),
    };
  });
  return (
    <AppShell user={user}>
      <PageHead title="Quote" sub="Credits for one generation, with the card version in force on the date and every step of the calculation." />
      <QuoteForm cards={cards} today={todayUtc()} initial={cards.some((c) => c.id === 'kling-consumer') ? 'kling-consumer' : (cards[0]?.id ?? '')} />
    </AppShell>
  );
}
