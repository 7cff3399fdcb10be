'use client';
import Link from 'next/link';
import { usePathname, useRouter } from 'next/navigation';

const LINKS = [
  { href: '/rules', label: 'Rules' },
  { href: '/quote', label: 'Quote' },
  { href: '/what-if', label: 'What-if' },
  { href: '/portfolio', label: 'Portfolio' },
  { href: '/backtest', label: 'Backtest' },
];

/** The main navigation; the current section is underlined. */
export function Nav() {
  const path = usePathname();
  return (
    <nav className="nav" aria-label="Main">
      {LINKS.map((l) => (
        <Link key={l.href} href={l.href} className={path === l.href || path.startsWith(`${l.href}/`) ? 'active' : ''}>
          {l.label}
        </Link>
      ))}
    </nav>
  );
}

/** Signs out and returns to the sign-in page. */
export function SignOut() {
  const router = useRouter();
  return (
    <button
      type="button"
      onClick={async () => {
        await fetch('/api/auth/logout', { method: 'POST' });
        router.push('/login');
        router.refresh();
      }}
    >
      Sign out
    </button>
  );
}
