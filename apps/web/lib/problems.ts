import type { Code, Diagnostic } from '@creditbook/engine';

/**
 * Problems the web layer adds to the engine's closed set: H (HTTP input) and A (access).
 * They have the engine's Diagnostic shape, so every error list a client reads looks alike.
 */
export const WEB_MESSAGES = {
  A_SIGN_IN: 'sign in required',
  A_FORBIDDEN: 'your role ({detail}) may not do this',
  A_CROSS_SITE: 'a request from another site may not change anything ({detail})',
  A_BAD_LOGIN: 'email or password not recognised',
  A_THROTTLED: 'too many failed sign-ins; {detail}',
  H_BAD_JSON: 'request body is not valid JSON: {detail}',
  H_BAD_INPUT: 'bad input: {detail}',
  H_NOT_FOUND: 'not found: {detail}',
  H_TOO_LARGE: 'request body is too large: {detail}',
  H_CONTENT_TYPE: 'send the body as Content-Type: application/json (got {detail})',
  H_BAD_URL: 'malformed URL: {detail}',
  H_METHOD: 'method not allowed: {detail}',
  H_INTERNAL: 'the server failed to answer: {detail}',
} as const;

export type WebCode = keyof typeof WEB_MESSAGES;

/** A positioned problem in a request: `path` is a JSON pointer into the body or query. */
export interface Problem extends Omit<Diagnostic, 'code'> {
  readonly code: Code | WebCode;
  /** The CLI's rendering, `file:line:col: CODE message`, where the problem is in a rule file. */
  readonly formatted?: string;
}

/** A web-layer problem; `path` points at the offending field (e.g. /request/duration_s). */
export function webProblem(code: WebCode, detail: string, path = ''): Problem {
  return { code, severity: 'error', message: WEB_MESSAGES[code].replace('{detail}', detail), file: '', pos: [0, 0], line: 1, col: 1, path };
}

/** A JSON response. */
export function json(value: unknown, status = 200, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(value), {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers },
  });
}

/** An error response: `{"errors": [problem, ...]}` with the status. */
export function problems(status: number, list: readonly Problem[]): Response {
  return json({ errors: list }, status);
}
