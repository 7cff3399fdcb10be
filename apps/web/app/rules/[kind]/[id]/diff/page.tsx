import Link from 'next/link';
import { notFound } from 'next/navigation';
import { AppShell, PageHead } from '@/components/AppShell.tsx';
import { DiffSections, LineDiff } from '@/components/DiffBody.tsx';
import { requireUser } from '@/lib/auth.ts';
import { documentDiff } from '@/lib/impact.ts';
import { KIND_LABELS, documentHref, kindFromSlug } from '@/lib/kinds.ts';
import { loadRules } from '@/lib/store.ts';
import { lineDiff } from '@/lib/textdiff.ts';

export default async function DiffPage({ params, searchParams }: { params: Promise<{ kind: string; id: string }>; searchParams: Promise<Record<string, string | undefined>> }) {
  const { kind: slug, id } = await params;
  const q = await searchParams;
  const user = await requireUser(`/rules/${slug}/${id}`);
  const kind = kindFromSlug(slug);
  const a = Number(q['a']);
  const b = Number(q['b']);
  const store = await loadRules();
  const rules = store.result.rules;
  const da = kind ? rules.get(kind, id, a) : undefined;
  const db = kind ? rules.get(kind, id, b) : undefined;
  if (!kind || !da || !db) notFound();
  const diff = (await documentDiff(rules, kind, id, a, b))!;
  const versions = rules.versions(kind, id);
  return (
    <AppShell user={user}>
      <PageHead
        crumbs={<><Link href="/rules">Rules</Link> / {KIND_LABELS[kind]} / <Link href={documentHref(kind, id)}>{id}</Link></>}
        title={<>v{a} → v{b}</>}
        sub={`${da.doc.title ?? id}: v${a} (${da.doc.status}${da.doc.status === 'published' ? `, from ${da.doc.effective_from}` : ''}) against v${b} (${db.doc.status}${db.doc.status === 'published' ? `, from ${db.doc.effective_from}` : ''})`}
        actions={
          <form className="form-row" method="get">
            <label className="field">
              From
              <select name="a" defaultValue={a}>
                {versions.map((v) => <option key={v.doc.version} value={v.doc.version}>v{v.doc.version} ({v.doc.status})</option>)}
              </select>
            </label>
            <label className="field">
              To
              <select name="b" defaultValue={b}>
                {versions.map((v) => <option key={v.doc.version} value={v.doc.version}>v{v.doc.version} ({v.doc.status})</option>)}
              </select>
            </label>
            <button className="btn" type="submit">Compare</button>
            <Link className="btn" href={documentHref(kind, id, b)}>Open v{b}</Link>
          </form>
        }
      />
      <DiffSections diff={diff} />
      <div className="panel flush">
        <div className="panel-head"><h2>Source</h2></div>
        <LineDiff lines={lineDiff(da.source.text, db.source.text)} />
      </div>
    </AppShell>
  );
}
