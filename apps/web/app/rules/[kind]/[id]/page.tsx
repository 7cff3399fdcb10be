import Link from 'next/link';
import { notFound } from 'next/navigation';
import { AppShell, PageHead } from '@/components/AppShell.tsx';
import { StatusBadge, when } from '@/components/Badges.tsx';
import { requireUser } from '@/lib/auth.ts';
import { documentSummary } from '@/lib/documents.ts';
import { KIND_LABELS, KIND_SLUGS, documentHref, kindFromSlug } from '@/lib/kinds.ts';
import { allows } from '@/lib/roles.ts';
import { loadRules } from '@/lib/store.ts';
import { UserText } from '@/components/UserText.tsx';

export default async function DocumentPage({ params }: { params: Promise<{ kind: string; id: string }> }) {
  const { kind: slug, id } = await params;
  const user = await requireUser(`/rules/${slug}/${id}`);
  const kind = kindFromSlug(slug);
  const store = await loadRules();
  const doc = kind ? documentSummary(store.result.rules, kind, id) : undefined;
  if (!kind || !doc) notFound();
  const published = doc.versions.filter((v) => v.status === 'published');
  const b = doc.latest;
  const a = [...doc.versions].reverse().find((v) => v.version < b)?.version ?? b;
  return (
    <AppShell user={user}>
      <PageHead
        crumbs={<><Link href="/rules">Rules</Link> / {KIND_LABELS[kind]}</>}
        title={<UserText text={doc.title} />}
        sub={<><span className="mono">{doc.id}</span> · {doc.versions.length} versions · {doc.in_force ? `v${doc.in_force} in force today` : 'no version in force today'} · {published.length} published</>}
        actions={
          allows(user.role, 'editor') ? (
            <Link className="btn primary" href={`/rules/${KIND_SLUGS[kind]}/${id}/edit`} data-testid="edit-latest">
              Edit v{doc.latest}
            </Link>
          ) : null
        }
      />
      <div className="panel flush">
        <div className="panel-head">
          <h2>History</h2>
          {doc.versions.length > 1 ? (
            <form className="form-row" action={`/rules/${KIND_SLUGS[kind]}/${id}/diff`} method="get">
              <label className="field">
                From
                <select name="a" defaultValue={a}>
                  {doc.versions.map((v) => (
                    <option key={v.version} value={v.version}>v{v.version} ({v.status})</option>
                  ))}
                </select>
              </label>
              <label className="field">
                To
                <select name="b" defaultValue={b}>
                  {doc.versions.map((v) => (
                    <option key={v.version} value={v.version}>v{v.version} ({v.status})</option>
                  ))}
                </select>
              </label>
              <button className="btn" type="submit">Compare versions</button>
            </form>
          ) : null}
        </div>
        <table className="data" data-testid="history">
          <thead>
            <tr>
              <th>Version</th>
              <th>Status</th>
              <th>Effective from</th>
              <th>Based on</th>
              <th>Author</th>
              <th>Saved</th>
              <th>Published</th>
              <th>Note</th>
            </tr>
          </thead>
          <tbody>
            {[...doc.versions].reverse().map((v) => (
              <tr key={v.version} data-testid={`history-v${v.version}`}>
                <td><Link href={documentHref(kind, id, v.version)}>v{v.version}</Link></td>
                <td>
                  <StatusBadge v={v} />
                  {v.status === 'draft' ? <span className={`badge ${v.review}`} style={{ marginLeft: 6 }} data-testid="history-review">{v.review}</span> : null}
                  {v.status === 'draft' && allows(user.role, 'editor') ? <Link className="small" style={{ marginLeft: 8 }} href={documentHref(kind, id, v.version)}>review and publish</Link> : null}
                </td>
                <td className="num" style={{ textAlign: 'left' }}>{v.status === 'published' ? v.effective_from : v.status === 'withdrawn' ? <span className="muted" style={{ textDecoration: 'line-through' }}>{v.effective_from}</span> : <span className="muted">not yet</span>}</td>
                <td>{v.based_on ? `v${v.based_on}` : <span className="muted">—</span>}</td>
                <td><UserText text={v.author} /></td>
                <td className="num" style={{ textAlign: 'left' }}>{when(v.saved_at)}</td>
                <td className="small">{v.published_by ? <><UserText text={v.published_by} />, {when(v.published_at)}</> : <span className="muted">—</span>}</td>
                <td className="wrap small" style={{ maxWidth: 460 }}>{v.note != null ? <UserText text={v.note} /> : <span className="muted">—</span>}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </AppShell>
  );
}
