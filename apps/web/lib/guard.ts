import type { IncomingMessage, ServerResponse } from 'node:http';
import { webProblem, type WebCode } from './problems.ts';
import { SECURITY_HEADERS } from './security-headers.ts';

/** Methods the app answers; anything else (TRACE, TRACK, CONNECT, ...) is 405 before any route runs. */
export const ALLOWED_METHODS = ['GET', 'HEAD', 'POST', 'OPTIONS'] as const;

/** A refusal as plain parts, written by Node's server (guardServer) or wrapped as a Response (refuseRequest). */
export interface Refusal {
  status: number;
  headers: Record<string, string>;
  body: string;
}

/**
 * A refusal of a request no route should see, or undefined: a method the app does not answer (405,
 * with `Allow`), or a path whose percent-encoding does not decode (400 H_BAD_URL). Either answer is
 * `{"errors": [...]}` with the security headers. Next.js cannot be given these requests at all: it
 * fails building its Request for TRACE ("HTTP method is unsupported") and on an undecodable path,
 * with a 500 and no security headers.
 */
export function refusal(method: string, url: string): Refusal | undefined {
  if (!(ALLOWED_METHODS as readonly string[]).includes(method.toUpperCase())) {
    return refused(405, 'H_METHOD', method.slice(0, 32), { allow: ALLOWED_METHODS.join(', ') });
  }
  try {
    decodeURIComponent(rawPath(url));
  } catch {
    return refused(400, 'H_BAD_URL', 'the path is not valid percent-encoded UTF-8');
  }
  return undefined;
}

function refused(status: number, code: WebCode, detail: string, extra: Record<string, string> = {}): Refusal {
  const headers: Record<string, string> = { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...extra };
  for (const { key, value } of SECURITY_HEADERS) headers[key] = value;
  return { status, headers, body: JSON.stringify({ errors: [webProblem(code, detail)] }) };
}

/** `refusal` as a fetch Response (tests, and any handler that holds a Request). */
export function refuseRequest(method: string, url: string): Response | undefined {
  const r = refusal(method, url);
  return r && new Response(r.body, { status: r.status, headers: r.headers });
}

/** The path of a request target as sent (still percent-encoded): `/a/b` of `/a/b?q` or of `http://host/a/b`. */
function rawPath(url: string): string {
  const target = /^[a-z][a-z0-9+.-]*:\/\/[^/]*/i.test(url) ? url.replace(/^[a-z][a-z0-9+.-]*:\/\/[^/]*/i, '') : url;
  return target.split(/[?#]/)[0]!;
}

const GUARDED = Symbol.for('creditbook.guard');

/**
 * Answers refused requests in Node's HTTP server, before Next.js sees them (installed once by the
 * instrumentation hook): every `request` event passes through `refusal` first.
 */
export async function guardServer(): Promise<void> {
  const flags = globalThis as Record<symbol, unknown>;
  if (flags[GUARDED]) return;
  flags[GUARDED] = true;
  const { Server } = await import('node:http');
  // The original is called with each server as `this` (emit.call below), never unbound.
  // eslint-disable-next-line @typescript-eslint/unbound-method
  const emit = Server.prototype.emit;
  Server.prototype.emit = function (this: InstanceType<typeof Server>, event: string | symbol, ...args: unknown[]): boolean {
    if (event === 'request') {
      const [req, res] = args as [IncomingMessage, ServerResponse];
      const r = refusal(req.method ?? 'GET', req.url ?? '/');
      if (r) {
        res.writeHead(r.status, r.headers);
        res.end(r.body);
        return true;
      }
    }
    return (emit as (this: unknown, event: string | symbol, ...rest: unknown[]) => boolean).call(this, event, ...args);
  } as typeof emit;
}
