import type { Metadata } from 'next';
import Link from 'next/link';
import { notFound } from 'next/navigation';
import { AppShell, PageHead } from '@/components/AppShell.tsx';
import { requireUser } from '@/lib/auth.ts';
import { KIND_LABELS, KIND_SLUGS, documentHref, kindFromSlug } from '@/lib/kinds.ts';
import { previewEdit } from '@/lib/preview.ts';
import { allows } from '@/lib/roles.ts';
import { loadRules } from '@/lib/store.ts';
import { Editor } from './Editor.tsx';

export const metadata: Metadata = { title: 'Edit' };

export default async function EditPage({ params, searchParams }: { params: Promise<{ kind: string; id: string }>; searchParams: Promise<Record<string, string | undefined>> }) {
  const { kind: slug, id } = await params;
  const q = await searchParams;
  const user = await requireUser(`/rules/${slug}/${id}/edit`);
  const kind = kindFromSlug(slug);
  const store = await loadRules();
  const rules = store.result.rules;
  const latest = kind ? rules.latest(kind, id) : undefined;
  if (!kind || !latest) notFound();
  const from = q['from'] ? rules.get(kind, id, Number(q['from'])) : latest;
  if (!from) notFound();
  const text = from.source.text;
  const base = latest.doc.version;
  const preview = await previewEdit(store, text, base);
  return (
    <AppShell user={user}>
      <PageHead
        crumbs={<><Link href="/rules">Rules</Link> / {KIND_LABELS[kind]} / <Link href={documentHref(kind, id)}>{id}</Link></>}
        title={<>Edit {latest.doc.title ?? id}</>}
        sub={
          from.doc.version === base
            ? <>Starting from v{base} ({latest.doc.status}). Saving creates draft v{base + 1}.</>
            : <>Restoring the text of v{from.doc.version} on top of v{base}. Saving creates draft v{base + 1}.</>
        }
      />
      <Editor
        kind={kind}
        kindSlug={KIND_SLUGS[kind]}
        id={id}
        baseVersion={base}
        initialText={text}
        initialPreview={preview}
        canSave={allows(user.role, 'editor')}
      />
    </AppShell>
  );
}
