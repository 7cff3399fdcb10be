import Link from 'next/link';
import { notFound } from 'next/navigation';
import { todayUtc } from '@creditbook/engine';
import { AppShell, PageHead } from '@/components/AppShell.tsx';
import { StatusBadge, when } from '@/components/Badges.tsx';
import { ImpactTable, PriceChanges } from '@/components/DiffBody.tsx';
import { ExamplesTable, PriceGridTable } from '@/components/PriceGridTable.tsx';
import { SourceView } from '@/components/SourceView.tsx';
import { requireUser } from '@/lib/auth.ts';
import { documentSummary } from '@/lib/documents.ts';
import { cardDiff } from '@/lib/impact.ts';
import { KIND_LABELS, KIND_SLUGS, documentHref, kindFromSlug } from '@/lib/kinds.ts';
import { evaluatedGrid, examplesOf } from '@/lib/preview.ts';
import { loadRules } from '@/lib/store.ts';
import { PublishPanel } from './PublishPanel.tsx';

export default async function VersionPage({ params }: { params: Promise<{ kind: string; id: string; version: string }> }) {
  const { kind: slug, id, version: vtext } = await params;
  const user = await requireUser(`/rules/${slug}/${id}/v/${vtext}`);
  const kind = kindFromSlug(slug);
  const version = Number(vtext);
  const store = await loadRules();
  const rules = store.result.rules;
  const loaded = kind && Number.isInteger(version) ? rules.get(kind, id, version) : undefined;
  if (!kind || !loaded) notFound();
  const summary = documentSummary(rules, kind, id)!;
  const v = summary.versions.find((x) => x.version === version)!;
  const doc = loaded.doc;
  const card = doc.kind === 'RateCard' ? doc : undefined;
  const previous = [...summary.versions].reverse().find((x) => x.version < version && x.status === 'published') ?? [...summary.versions].reverse().find((x) => x.version < version);
  const isDraft = doc.status === 'draft';
  const diff = isDraft && card && previous ? await cardDiff(rules, id, previous.version, version) : undefined;
  const lastPublished = [...summary.versions].reverse().find((x) => x.status === 'published');
  const today = todayUtc();
  const defaultDate = lastPublished && lastPublished.effective_from > today ? lastPublished.effective_from : today;
  const base = `/rules/${KIND_SLUGS[kind]}/${id}`;
  return (
    <AppShell user={user}>
      <PageHead
        crumbs={<><Link href="/rules">Rules</Link> / {KIND_LABELS[kind]} / <Link href={documentHref(kind, id)}>{id}</Link></>}
        title={<>{doc.title ?? id} <span className="muted">v{version}</span></>}
        sub={<StatusBadge v={v} />}
        actions={
          <>
            {previous ? <Link className="btn" href={`${base}/diff?a=${previous.version}&b=${version}`}>Compare with v{previous.version}</Link> : null}
            {user.role === 'editor' ? (
              <Link className="btn primary" href={version === summary.latest ? `${base}/edit` : `${base}/edit?from=${version}`} data-testid="edit-version">
                {version === summary.latest ? `Edit v${version}` : `Restore v${version} as a new draft`}
              </Link>
            ) : null}
          </>
        }
      />
      <div className="panel">
        <div className="facts">
          <div className="fact"><div className="k">Status</div><div className="v">{doc.status}</div></div>
          <div className="fact"><div className="k">Effective from</div><div className="v num">{isDraft ? 'set on publishing' : doc.effective_from}</div></div>
          <div className="fact"><div className="k">Author</div><div className="v">{v.author}</div></div>
          <div className="fact"><div className="k">Saved</div><div className="v num">{when(v.saved_at)}</div></div>
          <div className="fact"><div className="k">Based on</div><div className="v">{v.based_on ? `v${v.based_on}` : '—'}</div></div>
          <div className="fact"><div className="k">Published</div><div className="v">{v.published_by ? `${v.published_by}, ${when(v.published_at)}` : '—'}</div></div>
          <div className="fact" style={{ gridColumn: '1 / -1' }}><div className="k">Note</div><div className="v" style={{ fontWeight: 400 }}>{v.note ?? '—'}</div></div>
        </div>
      </div>
      {isDraft && user.role === 'editor' ? (
        <div className="panel" data-testid="publish-panel">
          <h2>Publish v{version}</h2>
          {diff && previous ? (
            <div className="stack" style={{ marginBottom: 16 }}>
              <div>
                <h3>Changed price cells against v{previous.version} ({diff.changes.length})</h3>
                <div className="panel flush" style={{ marginBottom: 0 }}><PriceChanges changes={diff.changes} a={previous.version} b={version} /></div>
              </div>
              <div>
                <h3>Impact on the reference scenarios</h3>
                <div className="panel flush" style={{ marginBottom: 0 }}><ImpactTable impact={diff.impact} a={previous.version} b={version} /></div>
              </div>
            </div>
          ) : null}
          <PublishPanel apiPath={`/api/versions/${KIND_SLUGS[kind]}/${id}/${version}`} version={version} defaultDate={defaultDate} minDate={lastPublished?.effective_from ?? null} />
        </div>
      ) : null}
      {card ? (
        <div className="grid-2">
          <div className="panel flush">
            <div className="panel-head"><h2>Price grid</h2><span className="small muted">{card.credits.length > 60 ? 'formula' : <code>{card.credits}</code>}</span></div>
            <PriceGridTable grid={evaluatedGrid(card, store.result.pricing.get(loaded.source.file))} />
          </div>
          <div className="panel flush">
            <div className="panel-head"><h2>Examples</h2></div>
            <ExamplesTable examples={examplesOf(store.result.pricing.get(loaded.source.file))} />
          </div>
        </div>
      ) : null}
      <div className="panel flush">
        <div className="panel-head"><h2>Source</h2><span className="mono small muted">{loaded.source.file}</span></div>
        <SourceView text={loaded.source.text} />
      </div>
    </AppShell>
  );
}
