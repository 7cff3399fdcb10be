/** Methods that change nothing: a cross-site request may send them (and gets nothing it may not read). */
const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Why a request that may change something comes from another site, or undefined when it does not.
 * Browsers say where a request comes from: `Sec-Fetch-Site` (same-origin, same-site, cross-site,
 * none), and `Origin` on every cross-origin POST. Only same-origin (or a user's own navigation) is
 * accepted. A request with neither header does not come from a browser (curl, scripts, the CLI's
 * users): it is accepted, and still needs a valid session cookie.
 */
export function crossSite(req: Request): string | undefined {
  if (SAFE.has(req.method.toUpperCase())) return undefined;
  const site = req.headers.get('sec-fetch-site');
  if (site !== null) return site === 'same-origin' || site === 'none' ? undefined : `Sec-Fetch-Site: ${site}`;
  const origin = req.headers.get('origin');
  if (origin === null) return undefined;
  const host = req.headers.get('host') ?? new URL(req.url).host;
  let from: URL;
  try {
    from = new URL(origin);
  } catch {
    return `Origin: ${origin}`;
  }
  return from.host === host ? undefined : `Origin: ${origin}`;
}

/** Whether the request reached the app over HTTPS (directly, or through a proxy that says so). */
export function overTls(req: Request): boolean {
  const proto = req.headers.get('x-forwarded-proto')?.split(',')[0]?.trim().toLowerCase();
  return proto === 'https' || new URL(req.url).protocol === 'https:';
}

/** Where a signed-in person goes by default. */
export const HOME = '/rules';

/**
 * Where to go after signing in: a path of this app, never another site. Browsers read `\` as `/`
 * and drop tabs and line breaks inside a URL, so `/\evil.example` and `/<TAB>/evil.example` lead
 * away: any backslash or control character is refused, and what remains must resolve to this origin.
 */
export function safeNext(next: unknown): string {
  if (typeof next !== 'string' || !next.startsWith('/') || next.length > 2048) return HOME;
  // eslint-disable-next-line no-control-regex
  if (/[\\\u0000-\u001f\u007f]/.test(next)) return HOME;
  const base = 'http://creditbook.invalid';
  let url: URL;
  try {
    url = new URL(next, base);
  } catch {
    return HOME;
  }
  if (url.origin !== base) return HOME;
  return url.pathname + url.search + url.hash;
}
