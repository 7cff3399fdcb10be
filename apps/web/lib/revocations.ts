import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';

/**
 * Server-side revocation of sessions, kept in one small JSON file beside the rule store (so it
 * survives a restart): the ids of sessions signed out (until they would have expired anyway), and
 * per user the time before which every session is void ("sign out everywhere"). Read on every
 * request, but only re-parsed when the file's size or time changed.
 */
export interface Revocations {
  /** Session id → when it would expire (milliseconds since the epoch). */
  readonly sessions: Readonly<Record<string, number>>;
  /** Email → sessions issued before this (milliseconds since the epoch) are void. */
  readonly users: Readonly<Record<string, number>>;
}

const EMPTY: Revocations = { sessions: {}, users: {} };
let cache: { file: string; stamp: string; value: Revocations } | undefined;
let writing: Promise<unknown> = Promise.resolve();

async function stampOf(file: string): Promise<string> {
  const st = await fs.stat(file, { bigint: true }).catch(() => undefined);
  return st ? `${st.size}:${st.mtimeNs}:${st.ino}` : 'absent';
}

/** The revocations in force (none when the file does not exist yet). */
export async function readRevocations(file: string): Promise<Revocations> {
  const stamp = await stampOf(file);
  if (cache?.file === file && cache.stamp === stamp) return cache.value;
  let value = EMPTY;
  if (stamp !== 'absent') {
    const data = JSON.parse(await fs.readFile(file, 'utf8')) as Partial<Revocations>;
    value = { sessions: { ...data.sessions }, users: { ...data.users } };
  }
  cache = { file, stamp, value };
  return value;
}

/** Applies a change and writes the file atomically (temp file, fsync, rename); one write at a time in this process. */
async function update(file: string, nowMs: number, change: (r: { sessions: Record<string, number>; users: Record<string, number> }) => void): Promise<void> {
  const run = async () => {
    const current = await readRevocations(file);
    // Revoked ids past their expiry need no keeping: their cookie is refused anyway.
    const sessions = Object.fromEntries(Object.entries(current.sessions).filter(([, exp]) => exp > nowMs));
    const next = { sessions, users: { ...current.users } };
    change(next);
    const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.${randomBytes(6).toString('hex')}.tmp`);
    try {
      const handle = await fs.open(tmp, 'wx');
      try {
        await handle.writeFile(JSON.stringify(next) + '\n', 'utf8');
        await handle.sync();
      } finally {
        await handle.close();
      }
      await fs.rename(tmp, file);
    } finally {
      await fs.rm(tmp, { force: true }).catch(() => undefined);
    }
  };
  const done = writing.then(run, run);
  writing = done.catch(() => undefined);
  return done;
}

/** Voids one session (sign-out): its id is refused until it would have expired. */
export function revokeSession(file: string, sid: string, expiresMs: number, nowMs: number): Promise<void> {
  return update(file, nowMs, (r) => {
    r.sessions[sid] = expiresMs;
  });
}

/** Voids every session of a user issued up to now ("sign out everywhere", or an administrator's revocation). */
export function revokeUser(file: string, email: string, nowMs: number): Promise<void> {
  return update(file, nowMs, (r) => {
    r.users[email.toLowerCase()] = nowMs;
  });
}

/** Whether a session is void: signed out, or issued before its user's sessions were revoked. */
export function isRevoked(r: Revocations, sid: string, email: string, issuedMs: number): boolean {
  if (Object.hasOwn(r.sessions, sid)) return true;
  const before = Object.hasOwn(r.users, email) ? r.users[email]! : undefined;
  return before !== undefined && issuedMs <= before;
}
