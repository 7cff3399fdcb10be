/**
 * One log line per HTTP request the server answers: id, method, route, status, duration and user.
 * Node publishes every request's start and its response's finish on diagnostics channels; the
 * subscriber opens the request's context (lib/log.ts) so that the route handlers running for it can
 * name the user, and writes the line when the response is done. The id is the proxy's
 * `x-request-id` when it sends a sane one, otherwise a new UUID; the response carries it back.
 */
import { randomUUID } from 'node:crypto';
import { subscribe } from 'node:diagnostics_channel';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { logger, requestContexts, type RequestContext } from './log.ts';

interface Open {
  ctx: RequestContext;
  method: string;
  route: string;
  start: bigint;
}

const open = new WeakMap<ServerResponse, Open>();
/** Requests this process is serving now (shared by Next's bundles, as the logger is). */
const counts = ((globalThis as Record<symbol, unknown>)[Symbol.for('creditbook.requests-in-flight')] ??= { n: 0 }) as { n: number };

const INSTALLED = Symbol.for('creditbook.request-log');

/** The id of a request: the proxy's when it is a plain token, else a new one. */
export function requestId(given: string | string[] | undefined): string {
  return typeof given === 'string' && /^[A-Za-z0-9._:-]{1,128}$/.test(given) ? given : randomUUID();
}

/** The path of a request URL, without its query (queries can carry anything). */
export function routeOf(url: string | undefined): string {
  const path = (url ?? '/').split('?')[0]!;
  return path.length > 256 ? path.slice(0, 256) : path;
}

/**
 * How a budgeted evaluation (a formula in rule text someone typed) pauses: while other requests are
 * in flight it sleeps a millisecond every few hundred steps, so a card whose formula loops to its
 * budget gets what the others leave of the thread, not an equal share; alone, it only lets the event
 * loop turn.
 */
export function evaluationPause(): Promise<void> {
  return new Promise((resolve) => (counts.n > 1 ? setTimeout(resolve, 1) : setImmediate(resolve)));
}

/** Starts logging every request of every HTTP server in this process (once). */
export function installRequestLog(): void {
  const flags = globalThis as Record<symbol, unknown>;
  if (flags[INSTALLED]) return;
  flags[INSTALLED] = true;
  subscribe('http.server.request.start', (message) => {
    const { request, response } = message as { request: IncomingMessage; response: ServerResponse };
    const ctx: RequestContext = { id: requestId(request.headers['x-request-id']) };
    // Counted until the response closes, answered or aborted.
    counts.n++;
    response.once('close', () => counts.n--);
    open.set(response, { ctx, method: request.method ?? 'GET', route: routeOf(request.url), start: process.hrtime.bigint() });
    response.setHeader('x-request-id', ctx.id);
    // Published just before the server emits 'request': what runs for this request inherits it.
    requestContexts().enterWith(ctx);
  });
  subscribe('http.server.response.finish', (message) => {
    const { response } = message as { response: ServerResponse };
    const o = open.get(response);
    if (!o) return;
    open.delete(response);
    const duration = Number(process.hrtime.bigint() - o.start) / 1e6;
    logger().info(
      {
        request_id: o.ctx.id,
        method: o.method,
        route: o.route,
        status: response.statusCode,
        duration_ms: Math.round(duration * 10) / 10,
        user: o.ctx.user ?? null,
      },
      'request',
    );
  });
}
