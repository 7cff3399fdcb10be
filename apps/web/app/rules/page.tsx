import type { Metadata } from 'next';
import Link from 'next/link';
import { AppShell, PageHead } from '@/components/AppShell.tsx';
import { StatusBadge, when } from '@/components/Badges.tsx';
import { requireUser } from '@/lib/auth.ts';
import { listDocuments } from '@/lib/documents.ts';
import { KIND_LABELS, documentHref } from '@/lib/kinds.ts';
import { loadRules } from '@/lib/store.ts';
import { UserText } from '@/components/UserText.tsx';

export const metadata: Metadata = { title: 'Rules' };

export default async function RulesPage() {
  const user = await requireUser('/rules');
  const store = await loadRules();
  const docs = listDocuments(store.result.rules);
  const versions = docs.reduce((n, d) => n + d.versions.length, 0);
  const drafts = docs.reduce((n, d) => n + d.versions.filter((v) => v.status === 'draft').length, 0);
  return (
    <AppShell user={user}>
      <PageHead title="Rules" sub={`${docs.length} documents · ${versions} versions · ${drafts} draft${drafts === 1 ? '' : 's'} awaiting publication`} />
      {store.problems.length > 0 ? (
        <div className="notice error">
          <strong>The rule store has {store.problems.length} problem{store.problems.length === 1 ? '' : 's'}.</strong>
          <ul className="problems">
            {store.problems.map((p, i) => (
              <li key={i}>
                <span className="where">{p.file}:{p.line}:{p.col}</span> <span className="code">{p.code}</span> {p.message}
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      <div className="panel flush">
        <table className="data" data-testid="rules-table">
          <thead>
            <tr>
              <th style={{ width: 90 }}>Version</th>
              <th style={{ width: 170 }}>Status</th>
              <th>Effective from</th>
              <th>Author</th>
              <th>Saved</th>
              <th>Published</th>
              <th>Note</th>
            </tr>
          </thead>
          <tbody>
            {docs.map((d) => (
              <DocumentRows key={`${d.kind}/${d.id}`} doc={d} />
            ))}
          </tbody>
        </table>
      </div>
    </AppShell>
  );
}

function DocumentRows({ doc }: { doc: ReturnType<typeof listDocuments>[number] }) {
  return (
    <>
      <tr className="group" data-testid={`doc-${doc.id}`}>
        <td colSpan={7}>
          <span className="badge kind" style={{ marginRight: 10 }}>{KIND_LABELS[doc.kind]}</span>
          <Link href={documentHref(doc.kind, doc.id)}>{doc.title}</Link>
          <span className="muted mono" style={{ marginLeft: 10 }}>{doc.id}</span>
          <span className="muted" style={{ float: 'right', fontWeight: 400 }}>
            {doc.in_force ? `v${doc.in_force} in force` : 'none in force'} · {doc.versions.length} version{doc.versions.length === 1 ? '' : 's'}
          </span>
        </td>
      </tr>
      {[...doc.versions].reverse().map((v) => (
        <tr key={v.version}>
          <td className="num" style={{ textAlign: 'left' }}>
            <Link href={documentHref(doc.kind, doc.id, v.version)}>v{v.version}</Link>
          </td>
          <td>
            <StatusBadge v={v} />
          </td>
          <td className="num" style={{ textAlign: 'left' }}>{v.status === 'published' ? v.effective_from : <span className="muted">not yet</span>}</td>
          <td><UserText text={v.author} /></td>
          <td className="num" style={{ textAlign: 'left' }}>{when(v.saved_at)}</td>
          <td className="small">{v.published_by ? `${v.published_by}, ${when(v.published_at)}` : <span className="muted">—</span>}</td>
          <td className="wrap small" style={{ maxWidth: 420 }}>{v.note != null ? <UserText text={v.note} /> : <span className="muted">—</span>}</td>
        </tr>
      ))}
    </>
  );
}
