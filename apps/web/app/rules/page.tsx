import { requireUser } from '@/lib/auth.ts';
import { loadRules } from '@/lib/store.ts';
import { listDocuments } from '@/lib/documents.ts';

export default async function RulesPage() {
  await requireUser('/rules');
  const store = await loadRules();
  const docs = listDocuments(store.result.rules);
  return <pre>{JSON.stringify(docs, null, 2)}</pre>;
}
