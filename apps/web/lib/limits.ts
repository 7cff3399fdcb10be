import { MAX_FILE_SIZE } from '@creditbook/engine';

/**
 * The one table of request limits. A body past its route's limit is refused (413) while it is
 * read, before anything parses it; rule text inside a body is then bounded again by the engine
 * (MAX_FILE_SIZE, checked before the YAML is parsed, on every path that parses it).
 */
const KB = 1024;
/** Room for a rule file of the engine's largest size, JSON-escaped, and the fields beside it. */
const RULE_TEXT_BODY = MAX_FILE_SIZE * 2 + 16 * KB;

export const BODY_LIMITS = {
  /** `{email, password}` or the sign-in form. */
  login: 4 * KB,
  /** `{text, base_version, note}`: a rule file. */
  ruleText: RULE_TEXT_BODY,
  /** What-if, forecast, export: a scenario id and custom variants. */
  whatIf: 256 * KB,
  /** Anything else (publish, review, quote, ...). */
  small: 16 * KB,
} as const;

/** Longest password accepted; refused before it is hashed (bcrypt reads 72 bytes at most anyway). */
export const MAX_PASSWORD_LENGTH = 256;

/** The body limit of a route, by its path. */
export function bodyLimit(pathname: string): number {
  if (pathname === '/api/auth/login') return BODY_LIMITS.login;
  if (pathname === '/api/validate' || pathname === '/api/versions' || pathname === '/api/merge') return BODY_LIMITS.ruleText;
  if (pathname === '/api/compare' || pathname === '/api/forecast' || pathname === '/api/export') return BODY_LIMITS.whatIf;
  return BODY_LIMITS.small;
}
