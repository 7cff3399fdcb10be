import { LRUCache } from 'lru-cache';

/**
 * How failed sign-ins slow further attempts down, per key: `free` failures are allowed, then each
 * further failure makes the key wait `baseMs × 2^(n-1)` (n = failures past the free ones), at
 * most `maxMs`; a key with no failure for `forgetMs` starts afresh.
 */
export interface ThrottleRule {
  readonly free: number;
  readonly baseMs: number;
  readonly maxMs: number;
  readonly forgetMs: number;
}

/**
 * Per account: 5 free failures, then 1 s, 2 s, 4 s, … at most 5 minutes: guessing one password is
 * slow, and an attacker who fails on purpose locks the real user out for 5 minutes at most.
 */
export const ACCOUNT_RULE: ThrottleRule = { free: 5, baseMs: 1_000, maxMs: 5 * 60_000, forgetMs: 15 * 60_000 };
/** Per client address: 20 free failures (a shared office), then 1 s, 2 s, … at most 15 minutes. */
export const CLIENT_RULE: ThrottleRule = { free: 20, baseMs: 1_000, maxMs: 15 * 60_000, forgetMs: 60 * 60_000 };

interface Entry {
  failures: number;
  lastMs: number;
  untilMs: number;
}

/** At most this many accounts and clients remembered (least recently seen forgotten first): memory stays bounded under a spray of names. */
const MAX_KEYS = 20_000;

class Bucket {
  private readonly entries = new LRUCache<string, Entry>({ max: MAX_KEYS });
  constructor(private readonly rule: ThrottleRule) {}

  private live(key: string, now: number): Entry | undefined {
    const e = this.entries.get(key);
    if (e && now - e.lastMs > this.rule.forgetMs) {
      this.entries.delete(key);
      return undefined;
    }
    return e;
  }

  waitMs(key: string, now: number): number {
    return Math.max(0, (this.live(key, now)?.untilMs ?? 0) - now);
  }

  fail(key: string, now: number): void {
    const e = this.live(key, now) ?? { failures: 0, lastMs: now, untilMs: 0 };
    e.failures++;
    e.lastMs = now;
    const past = e.failures - this.rule.free;
    if (past > 0) e.untilMs = now + Math.min(this.rule.maxMs, this.rule.baseMs * 2 ** Math.min(past - 1, 30));
    this.entries.set(key, e);
  }

  clear(key: string): void {
    this.entries.delete(key);
  }
}

/**
 * Sign-in throttling per account and per client address. A throttled attempt is refused before the
 * password is checked (so it reveals nothing); a success clears the account's failures, not the
 * client's (signing in to one's own account does not buy more guesses at others). The clock is
 * injected (tests move it by hand).
 */
export class SignInThrottle {
  private readonly accounts: Bucket;
  private readonly clients: Bucket;

  constructor(
    private readonly clock: () => number = Date.now,
    rules: { account: ThrottleRule; client: ThrottleRule } = { account: ACCOUNT_RULE, client: CLIENT_RULE },
  ) {
    this.accounts = new Bucket(rules.account);
    this.clients = new Bucket(rules.client);
  }

  /** How long this account from this client must wait before an attempt is heard (0: now). The client is undefined when unknown. */
  retryAfterMs(account: string, client: string | undefined): number {
    const now = this.clock();
    return Math.max(this.accounts.waitMs(account.trim().toLowerCase(), now), client === undefined ? 0 : this.clients.waitMs(client, now));
  }

  failed(account: string, client: string | undefined): void {
    const now = this.clock();
    this.accounts.fail(account.trim().toLowerCase(), now);
    if (client !== undefined) this.clients.fail(client, now);
  }

  succeeded(account: string): void {
    this.accounts.clear(account.trim().toLowerCase());
  }
}

let current = new SignInThrottle();

/** The process's sign-in throttle. */
export function signInThrottle(): SignInThrottle {
  return current;
}

/** Replaces the throttle (tests: one with a hand-moved clock). */
export function useSignInThrottle(t: SignInThrottle): void {
  current = t;
}

/**
 * The client address a sign-in is counted against: the first `X-Forwarded-For` hop (set by the
 * reverse proxy in front), else `X-Real-IP`; undefined when neither is sent. A route handler does
 * not see the socket's address, and one key shared by every direct client would let one attacker
 * lock everyone out: without a proxy, only the per-account limit applies.
 */
export function clientKey(req: Request): string | undefined {
  const forwarded = req.headers.get('x-forwarded-for')?.split(',')[0]?.trim();
  if (forwarded) return forwarded.slice(0, 64);
  return req.headers.get('x-real-ip')?.trim().slice(0, 64) || undefined;
}
