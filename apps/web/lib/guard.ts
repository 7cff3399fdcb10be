import { problems, webProblem } from './problems.ts';
import { SECURITY_HEADERS } from './security-headers.ts';

/** Methods the app answers; anything else (TRACE, TRACK, CONNECT, ...) is 405 before any route runs. */
export const ALLOWED_METHODS = ['GET', 'HEAD', 'POST', 'OPTIONS'] as const;

/**
 * A refusal of a request no route should see, or undefined: a method the app does not answer (405,
 * with `Allow`), or a path whose percent-encoding does not decode (400 H_BAD_URL, where the framework
 * would fail with a 500). Either answer is `{"errors": [...]}` with the security headers.
 */
export function refuseRequest(method: string, url: string): Response | undefined {
  if (!(ALLOWED_METHODS as readonly string[]).includes(method.toUpperCase())) {
    return withHeaders(problems(405, [webProblem('H_METHOD', method.slice(0, 32))]), { allow: ALLOWED_METHODS.join(', ') });
  }
  const pathname = rawPath(url);
  try {
    decodeURIComponent(pathname);
  } catch {
    return withHeaders(problems(400, [webProblem('H_BAD_URL', 'the path is not valid percent-encoded UTF-8')]));
  }
  return undefined;
}

/** The path of a URL as sent (still percent-encoded; `new URL` keeps malformed escapes as they are). */
function rawPath(url: string): string {
  try {
    return new URL(url, 'http://creditbook.invalid').pathname;
  } catch {
    return url;
  }
}

function withHeaders(res: Response, extra: Record<string, string> = {}): Response {
  for (const { key, value } of SECURITY_HEADERS) res.headers.set(key, value);
  for (const [k, v] of Object.entries(extra)) res.headers.set(k, v);
  return res;
}
