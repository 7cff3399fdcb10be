import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { currentUser } from '@/lib/auth.ts';
import { safeNext } from '@/lib/origin.ts';
import { LoginForm } from './LoginForm.tsx';

export const metadata: Metadata = { title: 'Sign in' };

export default async function LoginPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const q = await searchParams;
  const next = safeNext(q['next']);
  if (await currentUser()) redirect(next);
  return (
    <div className="login-wrap">
      <div className="login-card">
        <div className="brand" style={{ color: 'var(--brand)', marginBottom: 14 }}>
          <span className="brand-mark" style={{ background: 'var(--brand)', color: '#fff' }}>
            C
          </span>
          Creditbook
        </div>
        <h1>Sign in</h1>
        <p className="muted">Rate cards, validity policies and credit forecasts.</p>
        <LoginForm
          next={next}
          failed={
            q['error'] === '1'
              ? 'email or password not recognised'
              : q['error'] === 'throttled'
                ? 'too many failed sign-ins; wait a few minutes and try again'
                : null
          }
        />
      </div>
    </div>
  );
}
