/**
 * The API's logic, one function per route handler, independent of Next so tests can call it
 * with a plain Request. Every response is JSON (or a workbook); errors are `{"errors": [...]}`.
 */
import {
  CreditbookError,
  diagnostic,
  runNames,
  formatDiagnostic,
  isCalendarDate,
  mergeCells,
  pathKey,
  type MergeChoices,
  parseRuleFile,
  publish,
  quote,
  reviewDraft,
  reviewState,
  saveDraft,
  submitForReview,
  tamperingOf,
  todayUtc,
  withdraw,
  type ReviewEvent,
  type Diagnostic,
  type SaveFailure,
  type Kind,
} from '@creditbook/engine';
import { ioDiagnostic } from '@creditbook/engine/node';
import { documentSummary, listDocuments } from './documents.ts';
import { env } from './env.ts';
import { publishGuardrail } from './guardrail.ts';
import { documentDiff } from './impact.ts';
import { kindFromSlug } from './kinds.ts';
import { audit, logger, noteUser, requestContexts, type AuditEvent } from './log.ts';
import { draftPath, previewEdit } from './preview.ts';
import { json, problems, webProblem, type Problem } from './problems.ts';
import { readFormBody, readJsonBody } from './body.ts';
import { MAX_PASSWORD_LENGTH } from './limits.ts';
import { crossSite, overTls, safeNext } from './origin.ts';
import { sealOf, sessionFromSeal, signInCookie, signOut, signOutCookie, userFromRequest } from './session.ts';
import { loadRules, ruleStore } from './store.ts';
import { lineDiff } from './textdiff.ts';
import { clientKey, signInThrottle } from './throttle.ts';
import { allows, authenticate, type Role, type User } from './users.ts';
import { parseWhatIf, runCompare, runForecast, scenarioFor, whatIfFromQuery, type CompareAnswer, type Parsed, type WhatIf } from './whatif.ts';
import { scenarioXlsx } from './xlsx.ts';

type Params = Record<string, string>;
type Handler = (req: Request, ctx: { user: User; params: Params }) => Promise<Response>;

/** Wraps a handler: 401 without a session, 403 when the role is below the minimum. */
export function guarded(minimum: Role, handler: Handler) {
  return async (req: Request, ctx: { params: Promise<Params> | Params } = { params: {} }): Promise<Response> => {
    const foreign = crossSite(req);
    if (foreign) return problems(403, [webProblem('A_CROSS_SITE', foreign)]);
    const user = await userFromRequest(req);
    if (!user) return problems(401, [webProblem('A_SIGN_IN', '')]);
    noteUser(user.email);
    if (!allows(user.role, minimum)) return problems(403, [webProblem('A_FORBIDDEN', user.role)]);
    const params = await ctx.params;
    return answered(() => handler(req, { user, params }));
  };
}

/** The status of a store failure: no room (507), or no writes possible now (503). */
const IO_STATUS: Record<string, number> = { E_DISK_FULL: 507, E_STORE_READ_ONLY: 503, T_IO: 503 };

/**
 * Runs a handler so that whatever it throws is still an answer in the documented shape: a failing
 * store is `{"errors": [E_DISK_FULL | E_STORE_READ_ONLY | T_IO]}`, anything else is logged and
 * answered 500 `{"errors": [H_INTERNAL]}` naming the request id (never a stack, never an HTML page).
 */
export async function answered(run: () => Promise<Response>): Promise<Response> {
  try {
    return await run();
  } catch (e) {
    const request = requestContexts().getStore()?.id ?? '';
    const io = ioDiagnostic(e, env().rulesDir);
    if (io) {
      logger().warn({ request_id: request || null, code: io.code, detail: io.message }, 'store failure');
      return problems(IO_STATUS[io.code] ?? 503, [io]);
    }
    logger().error({ request_id: request || null, err: e }, 'handler failed');
    return problems(500, [webProblem('H_INTERNAL', request === '' ? 'see the server log' : `request ${request}`)]);
  }
}

/** A JSON body within its route's limit (lib/limits.ts), with its content type checked (lib/body.ts). */
export async function readJson(req: Request): Promise<{ ok: true; body: unknown } | { ok: false; response: Response }> {
  return readJsonBody(req);
}

const shown = (list: readonly Diagnostic[]) => list.map((d) => ({ ...d, formatted: formatDiagnostic(d) }));
const fail = <T>(p: Parsed<T> & { ok: false }) => problems(p.status, p.errors);

function kindParam(params: Params): Kind | undefined {
  return kindFromSlug(params['kind'] ?? '');
}

// --- session -------------------------------------------------------------------------------

/** Where to go after signing in: a path inside the app, never another site. */

/** A sign-in, or a failed one, in the audit log (the email as typed, bounded; never the password). */
function signInAudit(user: User | undefined | null, email: string): void {
  if (user) {
    noteUser(user.email);
    audit('sign_in', { user: user.email });
  } else audit('sign_in_failed', { user: email.slice(0, 254) });
}

/** A 429 with Retry-After (whole seconds) while the account or the client must wait (lib/throttle.ts), logged; else undefined. */
function throttled(req: Request, email: string): Response | undefined {
  const waitMs = signInThrottle().retryAfterMs(email, clientKey(req));
  if (waitMs <= 0) return undefined;
  const seconds = Math.ceil(waitMs / 1000);
  audit('sign_in_throttled', { user: email.slice(0, 254) });
  const res = problems(429, [webProblem('A_THROTTLED', `try again in ${seconds} s`)]);
  res.headers.set('retry-after', String(seconds));
  return res;
}

/** Checks the password, records the outcome with the throttle and in the audit log. */
async function checkedSignIn(req: Request, email: string, password: string): Promise<User | null> {
  const user = await authenticate(env().usersFile, email, password);
  signInAudit(user, email);
  if (user) signInThrottle().succeeded(email);
  else signInThrottle().failed(email, clientKey(req));
  return user;
}

/**
 * POST /api/auth/login `{email, password}`: sets the session cookie. A plain HTML form post
 * (before the page's script runs) works too: it is redirected to `next`, or back to the sign-in page.
 */
export async function login(req: Request): Promise<Response> {
  return answered(() => signIn(req));
}

async function signIn(req: Request): Promise<Response> {
  const foreign = crossSite(req);
  if (foreign) return problems(403, [webProblem('A_CROSS_SITE', foreign)]);
  if ((req.headers.get('content-type') ?? '').startsWith('application/x-www-form-urlencoded')) {
    const read = await readFormBody(req);
    if (!read.ok) return read.response;
    const form = read.body;
    const next = safeNext(form.get('next'));
    const email = String(form.get('email') ?? '');
    const wait = throttled(req, email);
    if (wait)
      return new Response(null, { status: 303, headers: { location: `/login?error=throttled&next=${encodeURIComponent(next)}`, 'cache-control': 'no-store' } });
    const user = await checkedSignIn(req, email, String(form.get('password') ?? ''));
    const to = user ? next : `/login?error=1&next=${encodeURIComponent(next)}`;
    const headers: Record<string, string> = { location: to, 'cache-control': 'no-store' };
    if (user) headers['set-cookie'] = await signInCookie(user, overTls(req));
    return new Response(null, { status: 303, headers });
  }
  const read = await readJson(req);
  if (!read.ok) return read.response;
  const body = read.body as Record<string, unknown>;
  const errors: Problem[] = [];
  if (typeof body['email'] !== 'string' || body['email'] === '') errors.push(webProblem('H_BAD_INPUT', 'email is required', '/email'));
  if (typeof body['password'] !== 'string' || body['password'] === '') errors.push(webProblem('H_BAD_INPUT', 'password is required', '/password'));
  else if (body['password'].length > MAX_PASSWORD_LENGTH)
    errors.push(webProblem('H_BAD_INPUT', `password: at most ${MAX_PASSWORD_LENGTH} characters`, '/password'));
  if (errors.length > 0) return problems(400, errors);
  const wait = throttled(req, body['email'] as string);
  if (wait) return wait;
  const user = await checkedSignIn(req, body['email'] as string, body['password'] as string);
  if (!user) return problems(401, [webProblem('A_BAD_LOGIN', '')]);
  return json({ user }, 200, { 'set-cookie': await signInCookie(user, overTls(req)) });
}

/**
 * POST /api/auth/logout `{everywhere?: true}`: revokes the session on the server (a replayed cookie
 * no longer works) and clears the cookie; `everywhere` revokes every session of the user.
 */
export async function logout(req: Request): Promise<Response> {
  return answered(async () => {
    const foreign = crossSite(req);
    if (foreign) return problems(403, [webProblem('A_CROSS_SITE', foreign)]);
    const read = await readJson(req);
    if (!read.ok) return read.response;
    const everywhere = (read.body as Record<string, unknown>)['everywhere'] === true;
    const session = await sessionFromSeal(sealOf(req));
    if (session) {
      await signOut(session, everywhere);
      audit('sign_out', { user: session.user.email });
    }
    return json({ ok: true, revoked: session ? (everywhere ? 'everywhere' : 'session') : 'none' }, 200, { 'set-cookie': signOutCookie() });
  });
}

/** GET /api/auth/me: the signed-in user. */
export const me = guarded('viewer', async (_req, { user }) => json({ user }));

// --- rules and versions --------------------------------------------------------------------

/** GET /api/rules: every document with its versions, and the store's problems. */
export const listRules = guarded('viewer', async () => {
  const store = await loadRules();
  return json({ documents: listDocuments(store.result.rules), problems: shown(store.problems) });
});

/** GET /api/rules/:kind/:id: one document's versions. */
export const getDocument = guarded('viewer', async (_req, { params }) => {
  const kind = kindParam(params);
  const store = await loadRules();
  const summary = kind ? documentSummary(store.result.rules, kind, params['id'] ?? '') : undefined;
  if (!summary) return problems(404, [webProblem('H_NOT_FOUND', `${params['kind']}/${params['id']}`)]);
  return json(summary);
});

/** GET /api/versions/:kind/:id/:version: one version's source text and facts. */
export const getVersion = guarded('viewer', async (_req, { params }) => {
  const kind = kindParam(params);
  const version = Number(params['version']);
  const store = await loadRules();
  const loaded = kind && Number.isInteger(version) ? store.result.rules.get(kind, params['id'] ?? '', version) : undefined;
  if (!kind || !loaded) return problems(404, [webProblem('H_NOT_FOUND', `${params['kind']}/${params['id']} v${params['version']}`)]);
  const summary = documentSummary(store.result.rules, kind, loaded.doc.id)!;
  return json({
    kind,
    id: loaded.doc.id,
    ...summary.versions.find((v) => v.version === version),
    latest: summary.latest,
    text: loaded.source.text,
    document: loaded.doc,
  });
});

/** POST /api/validate `{text, base_version}`: the loader's problems for edited text, the price grid and the examples. */
export const validate = guarded('viewer', async (req) => {
  const read = await readJson(req);
  if (!read.ok) return read.response;
  const body = read.body as Record<string, unknown>;
  const errors: Problem[] = [];
  if (typeof body['text'] !== 'string') errors.push(webProblem('H_BAD_INPUT', 'text: the YAML source', '/text'));
  const base = body['base_version'] ?? 0;
  if (!Number.isInteger(base) || (base as number) < 0)
    errors.push(webProblem('H_BAD_INPUT', 'base_version: a version number (0 for a new document)', '/base_version'));
  if (errors.length > 0) return problems(400, errors);
  return json(await previewEdit(await loadRules(), body['text'] as string, base as number));
});

/** The one place a save's, review step's or publish's reason becomes an HTTP status. */
const SAVE_STATUS: Record<SaveFailure, 400 | 403 | 404 | 409> = { invalid: 400, forbidden: 403, not_found: 404, conflict: 409 };

function saveFailure(reason: SaveFailure, errors: Diagnostic[]): Response {
  return problems(SAVE_STATUS[reason], shown(errors));
}

/** POST /api/versions `{text, base_version, note}`: saves a new draft version (409 when the base is stale). */
export const saveVersion = guarded('editor', async (req, { user }) => {
  const read = await readJson(req);
  if (!read.ok) return read.response;
  const body = read.body as Record<string, unknown>;
  const errors: Problem[] = [];
  if (typeof body['text'] !== 'string' || body['text'] === '') errors.push(webProblem('H_BAD_INPUT', 'text: the YAML source', '/text'));
  const base = body['base_version'];
  if (!Number.isInteger(base) || (base as number) < 0)
    errors.push(webProblem('H_BAD_INPUT', 'base_version: the version the edit started from (0 for a new document)', '/base_version'));
  const note = body['note'];
  if (note !== undefined && typeof note !== 'string') errors.push(webProblem('H_BAD_INPUT', 'note: text', '/note'));
  if (errors.length > 0) return problems(400, errors);
  const { file } = draftPath(body['text'] as string, base as number);
  const result = await saveDraft(ruleStore(), {
    text: body['text'] as string,
    baseVersion: base as number,
    author: user.email,
    file,
    ...(typeof note === 'string' && note.trim() !== '' ? { note: note.trim() } : {}),
  });
  if (!result.ok) return saveFailure(result.reason, result.errors);
  audit('save', { user: user.email, kind: result.kind, id: result.id, version: result.version });
  return json({ kind: result.kind, id: result.id, version: result.version, path: result.path, status: 'draft' }, 201);
});

/** The kind and version of a version route, or a 404. */
function versionParams(params: Params): { ok: true; kind: Kind; id: string; version: number } | { ok: false; response: Response } {
  const kind = kindParam(params);
  const version = Number(params['version']);
  if (!kind || !Number.isInteger(version))
    return { ok: false, response: problems(404, [webProblem('H_NOT_FOUND', `${params['kind']}/${params['id']} v${params['version']}`)]) };
  return { ok: true, kind, id: params['id'] ?? '', version };
}

/**
 * POST /api/versions/:kind/:id/:version/publish `{effective_from, backdate_reason?, guardrail_override?}`: publishes
 * an approved draft. A date before today needs the approver role and a reason (recorded in the trail); so does
 * a rate card whose backtest on the loaded usage is over its guardrail (409 T_GUARDRAIL without).
 */
export const publishVersion = guarded('editor', async (req, { user, params }) => {
  const v = versionParams(params);
  if (!v.ok) return v.response;
  const read = await readJson(req);
  if (!read.ok) return read.response;
  const body = read.body as Record<string, unknown>;
  const date = body['effective_from'];
  if (typeof date !== 'string' || !isCalendarDate(date)) {
    return problems(400, [{ ...diagnostic({ code: 'R_BAD_DATE', detail: `'${String(date)}'`, path: '/effective_from' }), formatted: '' }] as Problem[]);
  }
  const reason = body['backdate_reason'];
  if (reason !== undefined && typeof reason !== 'string') return problems(400, [webProblem('H_BAD_INPUT', 'backdate_reason: text', '/backdate_reason')]);
  const override = body['guardrail_override'];
  if (override !== undefined && typeof override !== 'string')
    return problems(400, [webProblem('H_BAD_INPUT', 'guardrail_override: the reason for publishing over the guardrail', '/guardrail_override')]);
  const guard = v.kind === 'RateCard' ? await publishGuardrail((await loadRules()).result.rules, v.id, v.version) : undefined;
  const overridden = guard?.needs_override === true;
  const result = await publish(ruleStore(), {
    kind: v.kind,
    id: v.id,
    version: v.version,
    effectiveFrom: date,
    author: user.email,
    mayBackdate: user.role === 'approver',
    ...(typeof reason === 'string' ? { backdateReason: reason } : {}),
    ...(overridden
      ? {
          guardrail: { breaches: guard.breaches, mayOverride: user.role === 'approver', ...(typeof override === 'string' ? { overrideReason: override } : {}) },
        }
      : {}),
  });
  if (!result.ok) return saveFailure(result.reason, result.errors);
  audit('publish', {
    user: user.email,
    kind: result.kind,
    id: result.id,
    version: result.version,
    effective_from: date,
    ...(overridden ? { guardrail_override: true } : {}),
  });
  return json({ kind: result.kind, id: result.id, version: result.version, path: result.path, status: 'published', effective_from: date });
});

/**
 * POST /api/merge `{text, base_version, choices?}`: a stale edit merged cell by cell onto the latest
 * version (base, theirs, mine): `{theirs, text, merged, conflicts}`; `choices` picks a side per conflict.
 */
export const mergeEdit = guarded('editor', async (req) => {
  const read = await readJson(req);
  if (!read.ok) return read.response;
  const body = read.body as Record<string, unknown>;
  const errors: Problem[] = [];
  if (typeof body['text'] !== 'string') errors.push(webProblem('H_BAD_INPUT', 'text: the YAML source', '/text'));
  const base = body['base_version'];
  if (!Number.isInteger(base) || (base as number) < 1)
    errors.push(webProblem('H_BAD_INPUT', 'base_version: the version the edit started from', '/base_version'));
  const choices = body['choices'] ?? {};
  if (typeof choices !== 'object' || choices === null || Array.isArray(choices) || !Object.values(choices).every((c) => c === 'mine' || c === 'theirs')) {
    errors.push(webProblem('H_BAD_INPUT', "choices: {path: 'mine' | 'theirs'}", '/choices'));
  }
  if (errors.length > 0) return problems(400, errors);
  const { kind, id } = draftPath(body['text'] as string, base as number);
  const rules = (await loadRules()).result.rules;
  const from = kind && id ? rules.get(kind, id, base as number) : undefined;
  const latest = kind && id ? rules.latest(kind, id) : undefined;
  if (!from || !latest) return problems(404, [webProblem('H_NOT_FOUND', `${kind ?? '?'} ${id ?? '?'} v${String(base)}`, '/base_version')]);
  const r = mergeCells(from.source.text, latest.source.text, body['text'] as string, choices as MergeChoices);
  if (!r.ok) return problems(400, [webProblem('H_BAD_INPUT', `the ${r.reason === 'mine' ? 'edited' : r.reason} text does not parse`, '/text')]);
  return json({
    base: base as number,
    theirs: latest.doc.version,
    text: r.text,
    merged: r.merged,
    conflicts: r.conflicts.map((c) => ({ ...c, key: pathKey(c.path) })),
  });
});

/** Reads `{note}` (and `{decision}` for a review) of a review step. */
async function stepBody(
  req: Request,
  decision: boolean,
): Promise<{ ok: true; note: string; decision?: 'approve' | 'reject' } | { ok: false; response: Response }> {
  const read = await readJson(req);
  if (!read.ok) return read;
  const body = read.body as Record<string, unknown>;
  const errors: Problem[] = [];
  if (body['note'] !== undefined && typeof body['note'] !== 'string') errors.push(webProblem('H_BAD_INPUT', 'note: text', '/note'));
  if (decision && body['decision'] !== 'approve' && body['decision'] !== 'reject')
    errors.push(webProblem('H_BAD_INPUT', "decision: 'approve' or 'reject'", '/decision'));
  if (errors.length > 0) return { ok: false, response: problems(400, errors) };
  return { ok: true, note: typeof body['note'] === 'string' ? body['note'] : '', ...(decision ? { decision: body['decision'] as 'approve' | 'reject' } : {}) };
}

const stepDone = (event: AuditEvent, user: User, r: Awaited<ReturnType<typeof submitForReview>>) => {
  if (!r.ok) return saveFailure(r.reason, r.errors);
  audit(event, { user: user.email, kind: r.kind, id: r.id, version: r.version });
  return json({ kind: r.kind, id: r.id, version: r.version, review: reviewState(parseRuleDocument(r.text)) });
};

/** The header of a version's text, for its review state. */
function parseRuleDocument(text: string): { status: string; audit: { author: string; saved_at: string; trail?: ReviewEvent[] } } {
  return parseRuleFile('review.yaml', text).data as { status: string; audit: { author: string; saved_at: string; trail?: ReviewEvent[] } };
}

/** POST /api/versions/:kind/:id/:version/submit `{note}`: submits a draft for review (editor; the note is required). */
export const submitVersion = guarded('editor', async (req, { user, params }) => {
  const v = versionParams(params);
  if (!v.ok) return v.response;
  const b = await stepBody(req, false);
  if (!b.ok) return b.response;
  return stepDone('submit', user, await submitForReview(ruleStore(), { kind: v.kind, id: v.id, version: v.version, by: user.email, note: b.note }));
});

/** POST /api/versions/:kind/:id/:version/review `{decision: approve | reject, note}`: an approver's decision, never on their own draft. */
export const reviewVersion = guarded('approver', async (req, { user, params }) => {
  const v = versionParams(params);
  if (!v.ok) return v.response;
  const b = await stepBody(req, true);
  if (!b.ok) return b.response;
  return stepDone(
    b.decision === 'approve' ? 'approve' : 'reject',
    user,
    await reviewDraft(ruleStore(), { kind: v.kind, id: v.id, version: v.version, by: user.email, note: b.note, decision: b.decision! }),
  );
});

/** POST /api/versions/:kind/:id/:version/withdraw `{note}`: withdraws a scheduled version before it takes effect (editor; the reason is required). */
export const withdrawVersion = guarded('editor', async (req, { user, params }) => {
  const v = versionParams(params);
  if (!v.ok) return v.response;
  const b = await stepBody(req, false);
  if (!b.ok) return b.response;
  return stepDone(
    'withdraw',
    user,
    await withdraw(ruleStore(), { kind: v.kind, id: v.id, version: v.version, by: user.email, note: b.note, today: todayUtc() }),
  );
});

/**
 * GET /api/versions/:kind/:id/diff?a=N&b=M: changed price cells (rate cards), every changed value, scenario impact (every kind),
 * the share of customers and volume a card change reaches in the loaded usage (`usage_reach`), and the line diff.
 */
export const diffVersions = guarded('viewer', async (req, { params }) => {
  const kind = kindParam(params);
  const q = new URL(req.url).searchParams;
  const errors: Problem[] = [];
  const num = (k: 'a' | 'b') => {
    const v = q.get(k);
    if (v === null || !/^\d+$/.test(v)) errors.push(webProblem('H_BAD_INPUT', `${k}: a version number`, `/query/${k}`));
    return Number(v);
  };
  const a = num('a');
  const b = num('b');
  if (errors.length > 0) return problems(400, errors);
  const store = await loadRules();
  const rules = store.result.rules;
  const id = params['id'] ?? '';
  const da = kind ? rules.get(kind, id, a) : undefined;
  const db = kind ? rules.get(kind, id, b) : undefined;
  if (!kind || !da || !db) return problems(404, [webProblem('H_NOT_FOUND', `${params['kind']}/${id} v${a} or v${b}`)]);
  const diff = (await documentDiff(rules, kind, id, a, b))!;
  return json({
    kind,
    id,
    a,
    b,
    changes: diff.changes,
    fields: diff.fields,
    impact: diff.impact,
    usage_reach: diff.usage_reach,
    lines: lineDiff(da.source.text, db.source.text),
  });
});

// --- quote, forecast, compare, export ------------------------------------------------------

interface QuoteBody {
  card: string;
  request: Record<string, string | number>;
  on?: string;
  version?: number;
}

const DIMENSION_ALIASES: Record<string, string> = { duration: 'duration_s' };

function quoteFromQuery(q: URLSearchParams): Parsed<QuoteBody> {
  const body: Record<string, unknown> = { request: {} };
  const request = body['request'] as Record<string, string | number>;
  for (const [k, v] of q) {
    if (k === 'card' || k === 'on') body[k] = v;
    else if (k === 'version') body[k] = /^\d+$/.test(v) ? Number(v) : v;
    else if (k === 'set') {
      const m = /^([a-z][a-z0-9_]*)=(.+)$/.exec(v);
      if (m) request[m[1]!] = /^-?\d+(\.\d+)?$/.test(m[2]!) ? Number(m[2]) : m[2]!;
      else return { ok: false, status: 400, errors: [webProblem('H_BAD_INPUT', `set takes dimension=value, got '${v}'`, '/query/set')] };
    } else {
      const name = Object.hasOwn(DIMENSION_ALIASES, k) ? DIMENSION_ALIASES[k]! : k;
      request[name] = /^-?\d+(\.\d+)?$/.test(v) ? Number(v) : v;
    }
  }
  return parseQuote(body);
}

function parseQuote(body: unknown): Parsed<QuoteBody> {
  const errors: Problem[] = [];
  if (typeof body !== 'object' || body === null) return { ok: false, status: 400, errors: [webProblem('H_BAD_INPUT', 'expected a JSON object', '')] };
  const b = body as Record<string, unknown>;
  if (typeof b['card'] !== 'string' || b['card'] === '') errors.push(webProblem('H_BAD_INPUT', 'card: a rate card id is required', '/card'));
  const request = b['request'] ?? {};
  if (typeof request !== 'object' || request === null || Array.isArray(request))
    errors.push(webProblem('H_BAD_INPUT', 'request: an object of dimension values', '/request'));
  else {
    for (const [k, v] of Object.entries(request)) {
      if (typeof v !== 'string' && !(typeof v === 'number' && Number.isFinite(v)))
        errors.push(webProblem('H_BAD_INPUT', `${k}: a text or number value`, `/request/${k}`));
    }
  }
  if (b['on'] !== undefined && (typeof b['on'] !== 'string' || !isCalendarDate(b['on']))) {
    errors.push(webProblem('H_BAD_INPUT', `on: a calendar date YYYY-MM-DD, got '${String(b['on'])}'`, '/on'));
  }
  if (b['version'] !== undefined && !(Number.isInteger(b['version']) && (b['version'] as number) > 0)) {
    errors.push(webProblem('H_BAD_INPUT', 'version: a positive integer', '/version'));
  }
  if (errors.length > 0) return { ok: false, status: 400, errors };
  return {
    ok: true,
    value: {
      card: b['card'] as string,
      request: request as Record<string, string | number>,
      ...(b['on'] === undefined ? {} : { on: b['on'] as string }),
      ...(b['version'] === undefined ? {} : { version: b['version'] as number }),
    },
  };
}

async function runQuote(parsed: Parsed<QuoteBody>): Promise<Response> {
  if (!parsed.ok) return fail(parsed);
  const store = await loadRules();
  // A card with a published version changed on disk is not quoted (as `creditbook quote` refuses it).
  const tampered = tamperingOf(store.result.errors, store.result.rules, 'RateCard', parsed.value.card);
  if (tampered.length > 0) return problems(409, shown(tampered));
  const outcome = await quote(store.result.rules, parsed.value);
  if (outcome.ok) return json(outcome.quote);
  const e = outcome.error;
  const status = e.code === 'Q_UNKNOWN_CARD' || e.code === 'Q_NO_VERSION' ? 404 : 400;
  const path =
    e.code === 'Q_DIMENSION'
      ? `/request${e.path}`
      : e.code === 'Q_UNKNOWN_CARD'
        ? '/card'
        : e.code === 'Q_NO_VERSION'
          ? parsed.value.version
            ? '/version'
            : '/on'
          : e.path;
  return problems(status, [{ ...e, path }]);
}

/** GET /api/quote?card=&model=&mode=&duration=&resolution=&on=&version=&set=dim=value: `creditbook quote --json`. */
export const quoteGet = guarded('viewer', async (req) => runQuote(quoteFromQuery(new URL(req.url).searchParams)));

/** POST /api/quote `{card, request, on?, version?}`: `creditbook quote --json`. */
export const quotePost = guarded('viewer', async (req) => {
  const read = await readJson(req);
  if (!read.ok) return read.response;
  return runQuote(parseQuote(read.body));
});

async function whatIfRequest(req: Request): Promise<Parsed<WhatIf>> {
  if (req.method === 'GET') return whatIfFromQuery(new URL(req.url).searchParams);
  const read = await readJson(req);
  if (!read.ok) return { ok: false, status: 400, errors: ((await read.response.json()) as { errors: Problem[] }).errors };
  return parseWhatIf(read.body);
}

/** Loads the store and the scenario; a broken store or a scenario that cannot run is a 400 with positioned problems. */
async function prepare(w: WhatIf) {
  const store = await loadRules();
  if (store.result.errors.length > 0) return { ok: false as const, response: problems(400, shown(store.result.errors)) };
  const s = scenarioFor(store.result.rules, w);
  if (!s.ok) return { ok: false as const, response: fail(s) };
  const own = store.problems.filter((p) => p.file === s.value.loaded.source.file);
  if (own.length > 0) return { ok: false as const, response: problems(400, shown(own)) };
  return { ok: true as const, source: { rules: store.result.rules, files: store.files, manifest: store.manifest }, ...s.value };
}

async function compareResponse(req: Request): Promise<Response> {
  const parsed = await whatIfRequest(req);
  if (!parsed.ok) return fail(parsed);
  const p = await prepare(parsed.value);
  if (!p.ok) return p.response;
  const r = await runCompare(p.source, p.scenario, p.names);
  if (!r.ok) return problems(400, shown(r.errors));
  return cachedJson(req, r.value);
}

/**
 * A remembered JSON answer: 304 when the client already holds these bytes (If-None-Match), else the
 * bytes serialized once, streamed in chunks. `private, no-cache`: a browser may keep the answer but
 * asks again each time (through the sign-in check) before using it. Not gzipped here: Next.js drops
 * a route handler's Content-Encoding header (the bytes would reach the client undeclared), so
 * compression belongs to a reverse proxy in front of the app.
 */
function cachedJson(req: Request, a: CompareAnswer): Response {
  const headers = { etag: a.etag, 'cache-control': 'private, no-cache', vary: 'Cookie' };
  const held = req.headers.get('if-none-match');
  if (held !== null && held.split(',').some((t) => t.trim().replace(/^W\//, '') === a.etag)) return new Response(null, { status: 304, headers });
  return new Response(streamed(a.body), {
    status: 200,
    headers: { ...headers, 'content-type': 'application/json; charset=utf-8', 'content-length': String(a.body.length) },
  });
}

const CHUNK = 64 * 1024;

/**
 * The bytes as a stream of chunks (views, no copies): a large answer goes out as the socket drains.
 * A plain stream even for one chunk: a `Uint8Array` body would be copied into a byte stream, whose
 * chunks Node transfers at each step.
 */
function streamed(body: Uint8Array): BodyInit {
  let at = 0;
  return new ReadableStream<Uint8Array>({
    pull(controller) {
      controller.enqueue(body.subarray(at, Math.min(at + CHUNK, body.length)));
      at += CHUNK;
      if (at >= body.length) controller.close();
    },
  });
}

/** GET/POST /api/compare: `creditbook compare --json` (base plus named variants, plus custom variants). */
export const compareRoute = guarded('viewer', async (req) => compareResponse(req));

async function forecastResponse(req: Request): Promise<Response> {
  const parsed = await whatIfRequest(req);
  if (!parsed.ok) return fail(parsed);
  const w = parsed.value;
  if ((w.variants?.length ?? 0) > 1) return problems(400, [webProblem('H_BAD_INPUT', 'a forecast runs one variant', '/variants/1')]);
  const p = await prepare({ ...w, ...(w.variants ? { variants: w.variants } : {}) });
  if (!p.ok) return p.response;
  const variant = w.variants?.[0] ?? (w.custom?.length === 1 ? w.custom[0]!.name : null);
  const r = await runForecast(p.source.rules, p.scenario, variant);
  return r.ok ? json(r.value) : problems(400, shown(r.errors));
}

/** GET/POST /api/forecast: `creditbook forecast --json` (one run: `variant` names it, base when omitted). */
export const forecastRoute = guarded('viewer', async (req) => forecastResponse(req));

/** POST /api/export `{view: "compare" | "forecast", ...what-if}`: the live workbook (the exporter's) of exactly those runs, as .xlsx. */
export const exportRoute = guarded('viewer', async (req) => {
  let view: string | undefined;
  let parsed: Parsed<WhatIf>;
  if (req.method === 'GET') {
    const q = new URL(req.url).searchParams;
    view = q.get('view') ?? 'compare';
    q.delete('view');
    parsed = whatIfFromQuery(q);
  } else {
    const read = await readJson(req);
    if (!read.ok) return read.response;
    const body = read.body as Record<string, unknown>;
    view = typeof body['view'] === 'string' ? body['view'] : 'compare';
    parsed = parseWhatIf(body);
  }
  if (view !== 'compare' && view !== 'forecast') return problems(400, [webProblem('H_BAD_INPUT', `view: 'compare' or 'forecast', got '${view}'`, '/view')]);
  if (!parsed.ok) return fail(parsed);
  const p = await prepare(parsed.value);
  if (!p.ok) return p.response;
  let runs: string[];
  let name: string;
  if (view === 'compare') {
    runs = ['base', ...(p.names ?? runNames(p.scenario)).filter((n) => n !== 'base')];
    name = `${p.scenario.id}-compare`;
  } else {
    const variant = parsed.value.variants?.[0] ?? (parsed.value.custom?.length === 1 ? parsed.value.custom[0]!.name : 'base');
    runs = [variant];
    name = `${p.scenario.id}-${variant}`;
  }
  let body: Buffer;
  try {
    body = await scenarioXlsx(p.source.rules, p.scenario, runs);
  } catch (e) {
    if (e instanceof CreditbookError) return problems(400, shown(e.diagnostics));
    throw e;
  }
  return new Response(new Uint8Array(body), {
    status: 200,
    headers: {
      'content-type': 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
      'content-disposition': `attachment; filename="${name}.xlsx"`,
      'cache-control': 'no-store',
    },
  });
});
