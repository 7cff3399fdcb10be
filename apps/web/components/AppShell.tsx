import Link from 'next/link';
import type { ReactNode } from 'react';
import type { User } from '@/lib/users.ts';
import { Nav, SignOut } from './Nav.tsx';

/** Every signed-in page: the top bar (brand, sections, who is signed in) and the page body. */
export function AppShell({ user, children }: { user: User; children: ReactNode }) {
  return (
    <>
      <header className="topbar">
        <Link href="/rules" className="brand">
          <span className="brand-mark">C</span>Creditbook
        </Link>
        <Nav />
        <div className="userbox">
          <span data-testid="user-name">{user.name}</span>
          <span className="role" data-testid="user-role">
            {user.role}
          </span>
          <SignOut />
        </div>
      </header>
      <main className="page">{children}</main>
    </>
  );
}

/** A page's title row: breadcrumbs, heading, a line under it and actions on the right. */
export function PageHead({ crumbs, title, sub, actions }: { crumbs?: ReactNode; title: ReactNode; sub?: ReactNode; actions?: ReactNode }) {
  return (
    <div className="page-head">
      <div>
        {crumbs ? <div className="crumbs">{crumbs}</div> : null}
        <h1>{title}</h1>
        {sub ? <div className="sub">{sub}</div> : null}
      </div>
      {actions ? <div className="actions">{actions}</div> : null}
    </div>
  );
}
