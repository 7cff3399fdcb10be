import type { Metadata } from 'next';
import Link from 'next/link';
import { AppShell } from '@/components/AppShell.tsx';
import { currentUser } from '@/lib/auth.ts';

export const metadata: Metadata = { title: 'Not found' };

/** Any address the app does not know, or a document or version that does not exist: say so, and offer the way back. */
export default async function NotFound() {
  const user = await currentUser();
  const body = (
    <div className="panel" data-testid="not-found" style={{ maxWidth: 640, margin: '48px auto', textAlign: 'center', padding: '36px 28px' }}>
      <div className="brand-mark" style={{ width: 40, height: 40, fontSize: 22, background: 'var(--brand)', color: '#fff', margin: '0 auto 14px' }}>
        C
      </div>
      <h1>Page not found</h1>
      <p className="muted" style={{ marginTop: 8 }}>
        There is nothing at this address: the document or version may not exist, or the link is mistyped.
      </p>
      <div className="actions" style={{ justifyContent: 'center', marginTop: 16 }}>
        <Link className="btn primary" href="/rules" data-testid="back-to-rules">
          Back to the rules
        </Link>
        <Link className="btn" href="/what-if">
          What-if
        </Link>
        <Link className="btn" href="/quote">
          Quote
        </Link>
      </div>
    </div>
  );
  if (user) return <AppShell user={user}>{body}</AppShell>;
  return (
    <main className="page">
      {body}
      <p className="small muted" style={{ textAlign: 'center' }}>
        <Link href="/login">Sign in</Link>
      </p>
    </main>
  );
}
