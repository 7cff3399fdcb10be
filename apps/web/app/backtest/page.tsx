import type { Metadata } from 'next';
import { AppShell, PageHead } from '@/components/AppShell.tsx';
import { requireUser } from '@/lib/auth.ts';
import { loadRules } from '@/lib/store.ts';
import { Backtest, type CardVersions } from './Backtest.tsx';

export const metadata: Metadata = { title: 'Backtest' };

export default async function BacktestPage() {
  const user = await requireUser('/backtest');
  const rules = (await loadRules()).result.rules;
  const cards: CardVersions[] = rules
    .ids('RateCard')
    .sort()
    .map((id) => ({
      id,
      versions: rules.versions('RateCard', id).map((v) => ({ version: v.doc.version, status: v.doc.status, effective_from: v.doc.effective_from })),
    }));
  return (
    <AppShell user={user}>
      <PageHead title="Backtest" sub="Rate the usage history under two versions of a rate card: who pays more, who pays less, and what no version can price." />
      <Backtest cards={cards} canUpload={user.role !== 'viewer'} />
    </AppShell>
  );
}
