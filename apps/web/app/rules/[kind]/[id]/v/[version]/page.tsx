import Link from 'next/link';
import { notFound } from 'next/navigation';
import { todayUtc } from '@creditbook/engine';
import { AppShell, PageHead } from '@/components/AppShell.tsx';
import { StatusBadge, when } from '@/components/Badges.tsx';
import { DiffSections } from '@/components/DiffBody.tsx';
import { ExamplesTable, PriceGridTable } from '@/components/PriceGridTable.tsx';
import { SourceView } from '@/components/SourceView.tsx';
import { requireUser } from '@/lib/auth.ts';
import { documentSummary } from '@/lib/documents.ts';
import { publishGuardrail } from '@/lib/guardrail.ts';
import { documentDiff } from '@/lib/impact.ts';
import { allows } from '@/lib/roles.ts';
import { KIND_LABELS, KIND_SLUGS, documentHref, kindFromSlug } from '@/lib/kinds.ts';
import { evaluatedGrid, examplesOf } from '@/lib/preview.ts';
import { loadRules } from '@/lib/store.ts';
import { GuardrailPanel } from './GuardrailPanel.tsx';
import { DecisionForm, PublishForm, SubmitForm, WithdrawForm } from './PublishPanel.tsx';
import { UserText } from '@/components/UserText.tsx';

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
  const today = todayUtc();
  // A draft is reviewed against what is in force now (not the version it happened to start from).
  const inForce = summary.in_force !== null && summary.in_force !== version ? summary.in_force : null;
  const against = inForce ?? previous?.version ?? null;
  const diff = isDraft && against !== null ? await documentDiff(rules, kind, id, against, version) : undefined;
  // A rate-card draft's backtest on the loaded usage, and its publish guardrail.
  const guard = card && isDraft ? await publishGuardrail(rules, id, version, { today, perCustomer: true }) : undefined;
  const lastPublished = [...summary.versions].reverse().find((x) => x.status === 'published');
  const defaultDate = lastPublished && lastPublished.effective_from > today ? lastPublished.effective_from : today;
  const canEdit = allows(user.role, 'editor');
  const authors = [v.author, [...v.trail].reverse().find((e) => e.action === 'submitted')?.by].filter(Boolean).map((x) => x!.toLowerCase());
  const scheduled = doc.status === 'published' && doc.effective_from > today;
  // What `creditbook validate` reports for this file (every bad cell at its line): such a version is neither reviewed nor published.
  const problems = store.problems.filter((p) => p.file === loaded.source.file);
  const base = `/rules/${KIND_SLUGS[kind]}/${id}`;
  const apiPath = `/api/versions/${KIND_SLUGS[kind]}/${id}/${version}`;
  return (
    <AppShell user={user}>
      <PageHead
        crumbs={<><Link href="/rules">Rules</Link> / {KIND_LABELS[kind]} / <Link href={documentHref(kind, id)}>{id}</Link></>}
        title={<>{doc.title ?? id} <span className="muted">v{version}</span></>}
        sub={<StatusBadge v={v} />}
        actions={
          <>
            {previous ? <Link className="btn" href={`${base}/diff?a=${previous.version}&b=${version}`}>Compare with v{previous.version}</Link> : null}
            {canEdit ? (
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
          <div className="fact"><div className="k">Review</div><div className="v"><span className={`badge ${v.review}`} data-testid="review-state">{v.review}</span></div></div>
          <div className="fact"><div className="k">Effective from</div><div className="v num">{isDraft ? 'set on publishing' : doc.status === 'withdrawn' ? `${doc.effective_from} (withdrawn)` : doc.effective_from}</div></div>
          <div className="fact"><div className="k">Author</div><div className="v"><UserText text={v.author} /></div></div>
          <div className="fact"><div className="k">Saved</div><div className="v num">{when(v.saved_at)}</div></div>
          <div className="fact"><div className="k">Based on</div><div className="v">{v.based_on ? `v${v.based_on}` : '—'}</div></div>
          <div className="fact"><div className="k">Published</div><div className="v">{v.published_by ? `${v.published_by}, ${when(v.published_at)}` : '—'}</div></div>
          <div className="fact" style={{ gridColumn: '1 / -1' }}><div className="k">Note</div><div className="v" style={{ fontWeight: 400 }}>{v.note != null ? <UserText text={v.note} /> : '—'}</div></div>
        </div>
      </div>
      {v.trail.length > 0 ? (
        <div className="panel" data-testid="audit-trail">
          <h2>Audit trail</h2>
          <ul className="trail">
            <li><span className="at">{when(v.saved_at)}</span><span>saved by <strong><UserText text={v.author} /></strong>{v.based_on ? ` from v${v.based_on}` : ''}{v.note ? <> — <UserText text={v.note} /></> : null}</span></li>
            {v.trail.map((e, i) => (
              <li key={i} data-testid="trail-event" data-action={e.action}>
                <span className="at">{when(e.at)}</span>
                <span><span className={`badge ${e.action}`}>{e.action}</span> by <strong><UserText text={e.by} /></strong>{e.note ? <> — <UserText text={e.note} /></> : null}</span>
              </li>
            ))}
          </ul>
        </div>
      ) : null}
      {isDraft ? (
        <div className="panel" data-testid="publish-panel">
          <h2>Review and publish v{version}</h2>
          <p className="small muted">
            A draft is submitted for review with a note; an approver other than its author approves or rejects it after reading the changes and their impact below; only then can it be published.
          </p>
          {diff && against !== null ? (
            <div className="stack" style={{ marginBottom: 16 }} data-testid="review-diff">
              <h3>Against v{against}{inForce !== null ? ', the version in force today' : ''}</h3>
              <DiffSections diff={diff} />
            </div>
          ) : null}
          {guard ? <GuardrailPanel check={guard} /> : null}
          {problems.length > 0 ? (
            <div className="notice error" role="alert" data-testid="version-problems">
              <strong>
                {problems.length} problem{problems.length === 1 ? '' : 's'}: this version cannot be submitted or published until they are fixed in a new draft.
              </strong>
              <ul className="problems" style={{ marginTop: 6 }}>
                {problems.map((p, i) => (
                  <li key={i} data-testid="problem" data-code={p.code} data-line={p.line} data-col={p.col}>
                    <span className="where">line {p.line}:{p.col}</span>
                    <span><span className="code">{p.code}</span> {p.message}</span>
                  </li>
                ))}
              </ul>
            </div>
          ) : null}
          {problems.length > 0 ? null : v.review === 'editing' || v.review === 'rejected' ? (
            canEdit ? <SubmitForm apiPath={apiPath} version={version} resubmit={v.review === 'rejected'} /> : <p className="muted">Waiting for an editor to submit it for review.</p>
          ) : null}
          {problems.length === 0 && v.review === 'submitted' ? (
            user.role === 'approver' && !authors.includes(user.email.toLowerCase()) ? (
              <DecisionForm apiPath={apiPath} version={version} />
            ) : (
              <p className="notice info" data-testid="awaiting-review">Submitted for review. Waiting for an approver other than {authors.join(' and ')}.</p>
            )
          ) : null}
          {problems.length === 0 && v.review === 'approved' ? (
            canEdit ? (
              <PublishForm apiPath={apiPath} id={id} version={version} defaultDate={defaultDate} minDate={lastPublished?.effective_from ?? null} today={today} canBackdate={user.role === 'approver'} guardrail={guard?.needs_override ? guard.breaches : []} />
            ) : <p className="muted">Approved; waiting for an editor to publish it.</p>
          ) : null}
        </div>
      ) : null}
      {scheduled && canEdit ? (
        <div className="panel" data-testid="withdraw-panel">
          <h2>Scheduled for {doc.effective_from}</h2>
          <p className="small muted">Not yet in force. Withdrawing it means it never takes effect; the card then stays as it is, and a new version can take any later date.</p>
          <WithdrawForm apiPath={apiPath} version={version} effective={doc.effective_from} />
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
