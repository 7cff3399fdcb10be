/**
 * Structured logs (pino, one JSON object per line on stdout): a line per request (lib/request-log.ts)
 * and a line per audit event. Lines carry ids, routes, statuses, durations and user emails; never a
 * password, a cookie, a session or rule text (the fields are chosen, and `redact` guards the names
 * anyway).
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { pino, type DestinationStream, type Logger } from 'pino';
import pkg from '../package.json' with { type: 'json' };

/** The request being served: its id, and who made it once the session is read. */
export interface RequestContext {
  readonly id: string;
  user?: string;
}

/** The field names never written, wherever they appear in a line. */
export const REDACTED = ['password', 'cookie', 'authorization', 'set-cookie', 'session', 'text', 'source'];

// Next compiles the instrumentation hook and the route handlers into separate bundles: the request
// context and the logger are kept on globalThis so that both see the same ones.
const KEY = Symbol.for('creditbook.log');
interface Shared {
  context: AsyncLocalStorage<RequestContext>;
  logger?: Logger;
}
const shared = ((globalThis as Record<symbol, unknown>)[KEY] ??= { context: new AsyncLocalStorage<RequestContext>() }) as Shared;

function create(destination?: DestinationStream): Logger {
  const options = {
    base: { service: 'creditbook-web', version: pkg.version },
    timestamp: pino.stdTimeFunctions.isoTime,
    redact: { paths: REDACTED.flatMap((k) => (/^\w+$/.test(k) ? [k, `*.${k}`] : [`["${k}"]`, `*["${k}"]`])), censor: '[redacted]' },
  };
  return destination ? pino(options, destination) : pino(options);
}

/** The app's logger. */
export function logger(): Logger {
  shared.logger ??= create();
  return shared.logger;
}

/** Sends the log to another stream (tests read the lines). */
export function logTo(destination: DestinationStream): void {
  shared.logger = create(destination);
}

/** The store of the current request's context. */
export function requestContexts(): AsyncLocalStorage<RequestContext> {
  return shared.context;
}

/** Records who is making the current request (its log line then names them). */
export function noteUser(email: string): void {
  const ctx = shared.context.getStore();
  if (ctx) ctx.user = email;
}

/** The steps of the audit trail that are also log lines. */
export type AuditEvent = 'sign_in' | 'sign_in_failed' | 'sign_out' | 'sign_in_throttled' | 'save' | 'submit' | 'approve' | 'reject' | 'publish' | 'withdraw';

/** Writes an audit event: who did what to which document version (no text, no secrets). */
export function audit(
  event: AuditEvent,
  fields: { user?: string; kind?: string; id?: string; version?: number; effective_from?: string; status?: number; guardrail_override?: boolean } = {},
): void {
  const ctx = shared.context.getStore();
  logger().info({ audit: event, request_id: ctx?.id ?? null, user: fields.user ?? ctx?.user ?? null, ...fields }, `audit ${event}`);
}
