import { existsSync } from 'node:fs';
import path from 'node:path';

/** The web app's settings, read once from the environment and checked. */
export interface Env {
  /** The rule store: a directory of YAML rule documents. */
  rulesDir: string;
  /** The users file: emails, names, roles and bcrypt password hashes. */
  usersFile: string;
  /** Seals the session cookie; at least 32 characters. */
  sessionSecret: string;
  /** Whether the session cookie is marked Secure (HTTPS only). */
  secureCookies: boolean;
  /** The usage history database (DuckDB file) uploads go into and backtests read. */
  usageDb: string;
  /** Largest usage upload accepted, in bytes. */
  usageMaxBytes: number;
  /** Revoked sessions (lib/revocations.ts): beside the rule store by default. */
  sessionsFile: string;
  /** Whether what-if comparisons run on the compare thread (lib/compare-thread.ts); off: in the server's thread. */
  compareThread: boolean;
}

/** For local development only: documented in the README, refused when NODE_ENV is production. */
export const DEV_SESSION_SECRET = 'creditbook-dev-secret-do-not-use-in-production-0001';

/** The repository root: the nearest folder up from here with a pnpm-workspace.yaml. */
function repoRoot(from: string): string {
  let dir = path.resolve(from);
  for (;;) {
    if (existsSync(/*turbopackIgnore: true*/ path.join(dir, 'pnpm-workspace.yaml'))) return dir;
    const up = path.dirname(dir);
    if (up === dir) return path.resolve(from);
    dir = up;
  }
}

export class EnvError extends Error {
  override readonly name = 'EnvError';
}

/** Reads and validates the settings; throws EnvError naming every bad variable. */
export function readEnv(vars: Record<string, string | undefined> = process.env, cwd: string = process.cwd()): Env {
  const problems: string[] = [];
  const root = repoRoot(cwd);
  const rulesDir = path.resolve(cwd, vars['CREDITBOOK_RULES_DIR'] || path.join(root, 'rules'));
  if (!existsSync(/*turbopackIgnore: true*/ rulesDir)) problems.push(`CREDITBOOK_RULES_DIR: no such directory ${rulesDir}`);
  const usersFile = path.resolve(cwd, vars['CREDITBOOK_USERS_FILE'] || path.join(root, 'apps/web/config/users.json'));
  if (!existsSync(/*turbopackIgnore: true*/ usersFile)) problems.push(`CREDITBOOK_USERS_FILE: no such file ${usersFile}`);
  let sessionSecret = vars['CREDITBOOK_SESSION_SECRET'] ?? '';
  if (sessionSecret === '') {
    if (vars['NODE_ENV'] === 'production' && vars['CREDITBOOK_ALLOW_DEV_SECRET'] !== '1') {
      problems.push('CREDITBOOK_SESSION_SECRET: required in production (32 characters or more)');
    }
    sessionSecret = DEV_SESSION_SECRET;
  } else if (sessionSecret.length < 32) {
    problems.push('CREDITBOOK_SESSION_SECRET: must be 32 characters or more');
  }
  const secure = vars['CREDITBOOK_SECURE_COOKIES'] ?? '';
  if (!['', '0', '1'].includes(secure)) problems.push(`CREDITBOOK_SECURE_COOKIES: expected 0 or 1, got '${secure}'`);
  const usageDb = path.resolve(cwd, vars['CREDITBOOK_USAGE_DB'] || path.join(path.dirname(rulesDir), 'usage.duckdb'));
  const maxMb = vars['CREDITBOOK_USAGE_MAX_MB'] ?? '';
  if (maxMb !== '' && !/^[1-9][0-9]{0,5}$/.test(maxMb)) problems.push(`CREDITBOOK_USAGE_MAX_MB: expected a whole number of megabytes, got '${maxMb}'`);
  const thread = vars['CREDITBOOK_COMPARE_THREAD'] ?? '';
  if (!['', 'on', 'off'].includes(thread)) problems.push(`CREDITBOOK_COMPARE_THREAD: expected on or off, got '${thread}'`);
  if (problems.length > 0) throw new EnvError(`invalid settings:\n  ${problems.join('\n  ')}`);
  const sessionsFile = path.resolve(cwd, vars['CREDITBOOK_SESSIONS_FILE'] || path.join(path.dirname(rulesDir), '.creditbook-sessions.json'));
  return {
    rulesDir,
    usersFile,
    sessionSecret,
    secureCookies: secure === '1',
    usageDb,
    usageMaxBytes: (maxMb === '' ? 256 : Number(maxMb)) * 2 ** 20,
    sessionsFile,
    compareThread: thread !== 'off',
  };
}

let cached: Env | undefined;

/** The process's settings (read on first use). */
export function env(): Env {
  cached ??= readEnv();
  return cached;
}

/** Forgets the cached settings (tests change the environment between suites). */
export function resetEnv(): void {
  cached = undefined;
}
