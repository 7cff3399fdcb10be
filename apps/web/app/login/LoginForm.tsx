'use client';
import { useRouter } from 'next/navigation';
import { useState } from 'react';

export function LoginForm({ next, failed }: { next: string; failed: string | null }) {
  const router = useRouter();
  const [error, setError] = useState<string | null>(failed);
  const [busy, setBusy] = useState(false);
  return (
    // method and action make the form work before the script has loaded; once it has, fetch takes over.
    <form
      method="post"
      action="/api/auth/login"
      onSubmit={async (e) => {
        e.preventDefault();
        const form = new FormData(e.currentTarget);
        setBusy(true);
        setError(null);
        const res = await fetch('/api/auth/login', {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ email: form.get('email'), password: form.get('password') }),
        });
        setBusy(false);
        if (res.ok) {
          router.push(next);
          router.refresh();
        } else {
          const body = (await res.json().catch(() => ({}))) as { errors?: { message: string }[] };
          setError(body.errors?.map((x) => x.message).join('; ') ?? 'Sign-in failed');
        }
      }}
    >
      {error ? (
        <div className="notice error" role="alert">
          {error}
        </div>
      ) : null}
      <input type="hidden" name="next" value={next} />
      <label className="field">
        Email
        <input name="email" type="email" autoComplete="username" required autoFocus />
      </label>
      <label className="field">
        Password
        <input name="password" type="password" autoComplete="current-password" required />
      </label>
      <button className="btn primary" type="submit" disabled={busy}>
        {busy ? 'Signing in…' : 'Sign in'}
      </button>
    </form>
  );
}
