import { readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { expect, test } from '@playwright/test';
import { APP, ACCOUNTS, RULES, signIn } from './support.ts';

/** Pages a signed-in editor goes through, and what shows each one has run its script. */
const PAGES: [string, string][] = [
  ['/rules', 'rules-table'],
  ['/rules/rate-card/kling-consumer', 'history'],
  ['/rules/rate-card/kling-consumer/edit', 'save-draft'],
  ['/quote', 'quote-credits'],
  ['/what-if', 'totals'],
];

test('every page runs under the Content-Security-Policy without a violation, and sends the security headers', async ({ page }) => {
  await page.addInitScript(() => {
    (window as unknown as { violations: string[] }).violations = [];
    document.addEventListener('securitypolicyviolation', (e) =>
      (window as unknown as { violations: string[] }).violations.push(`${e.violatedDirective} ${e.blockedURI}`),
    );
  });
  const console: string[] = [];
  page.on('console', (m) => {
    if (/Content Security Policy|Refused to/i.test(m.text())) console.push(m.text());
  });
  const login = await page.request.get('/login');
  const h = login.headers();
  expect(h['content-security-policy']).toContain("default-src 'self'");
  expect(h['content-security-policy']).toContain("frame-ancestors 'none'");
  expect(h['content-security-policy']).not.toContain('unsafe-eval');
  expect(h['x-content-type-options']).toBe('nosniff');
  expect(h['x-frame-options']).toBe('DENY');
  expect(h['referrer-policy']).toBe('same-origin');
  expect(h['permissions-policy']).toContain('camera=()');
  expect((await page.request.get('/api/rules')).headers()['x-content-type-options']).toBe('nosniff');

  await signIn(page, 'editor');
  for (const [url, ready] of PAGES) {
    await page.goto(url);
    await expect(page.getByTestId(ready).first()).toBeVisible();
    const violations = await page.evaluate(() => (window as unknown as { violations: string[] }).violations);
    expect(violations, url).toEqual([]);
  }
  expect(console).toEqual([]);
});

function files(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir)) {
    const full = path.join(dir, e);
    if (statSync(full).isDirectory()) out.push(...files(full));
    else out.push(full);
  }
  return out;
}

test('no secret reaches a client bundle', () => {
  const statics = files(path.join(APP, '.next', 'static'));
  expect(statics.length).toBeGreaterThan(10);
  const users = JSON.parse(readFileSync(path.join(APP, 'config', 'users.json'), 'utf8')) as { users: { password_hash: string }[] };
  const secrets = [
    process.env['CREDITBOOK_SESSION_SECRET'] ?? 'e2e-session-secret-0123456789abcdefghijklmnop',
    'e2e-session-secret-0123456789abcdefghijklmnop',
    'creditbook-dev-secret-do-not-use-in-production',
    'CREDITBOOK_SESSION_SECRET',
    'password_hash',
    ACCOUNTS.editor.password,
    ACCOUNTS.viewer.password,
    ...users.users.map((u) => u.password_hash),
  ];
  for (const f of statics) {
    const text = readFileSync(f, 'latin1');
    for (const s of secrets) expect(text.includes(s), `${path.relative(APP, f)} contains ${s.slice(0, 12)}…`).toBe(false);
    expect(/\$2[aby]\$\d\d\$[./A-Za-z0-9]{53}/.test(text), `${path.relative(APP, f)} contains a bcrypt hash`).toBe(false);
  }
});

/** The resident memory of the `next start` process that e2e/serve.mjs runs, in MB. */
function serverRss(): number {
  const procs = readdirSync('/proc').filter((p) => /^\d+$/.test(p));
  const parent = (pid: string) => {
    try {
      return readFileSync(`/proc/${pid}/stat`, 'utf8')
        .replace(/^.*\) /, '')
        .split(' ')[1];
    } catch {
      return undefined;
    }
  };
  const cmd = (pid: string) => {
    try {
      return readFileSync(`/proc/${pid}/cmdline`, 'utf8');
    } catch {
      return '';
    }
  };
  const serve = procs.find((p) => cmd(p).includes('e2e/serve.mjs'));
  const server = procs.find((p) => serve !== undefined && parent(p) === serve);
  if (!server) throw new Error('the e2e server process was not found');
  const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${server}/status`, 'utf8'));
  return Number(kb?.[1] ?? 0) / 1024;
}

test('200 what-if requests at once: every one answered, and the server returns to its memory baseline', async ({ baseURL }) => {
  test.setTimeout(120_000);
  const signin = await fetch(`${baseURL}/api/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(ACCOUNTS.viewer),
  });
  const cookie = (signin.headers.get('set-cookie') ?? '').split(';')[0]!;
  expect(cookie).toMatch(/^creditbook_session=/);
  // Different what-ifs, so each is computed: the scenario's variants under new names.
  const body = (i: number) =>
    JSON.stringify({
      scenario: 'agency-campaigns',
      variants: [],
      custom: [
        { name: `scaled-${i}`, demand_scale: 0.5 + (i % 50) / 25 },
        { name: `annual-${i}`, plan: { billing: 'annual' } },
      ],
    });
  const ask = (i: number) => fetch(`${baseURL}/api/compare`, { method: 'POST', headers: { 'content-type': 'application/json', cookie }, body: body(i) });
  for (let i = 0; i < 20; i++) await (await ask(1_000 + i)).arrayBuffer(); // warm up
  await new Promise((r) => setTimeout(r, 2_000));
  const baseline = serverRss();
  const answers = await Promise.all(
    Array.from({ length: 200 }, async (_, i) => {
      const r = await ask(i);
      const json = (await r.json()) as { runs?: unknown[] };
      return { status: r.status, runs: json.runs?.length ?? 0 };
    }),
  );
  expect(answers.filter((a) => a.status !== 200)).toEqual([]);
  expect(answers.every((a) => a.runs === 3)).toBe(true);
  // Memory settles back: within 100 MB of the baseline, checked for up to 40 s.
  let now = serverRss();
  for (let t = 0; t < 80 && now > baseline + 100; t++) {
    await new Promise((r) => setTimeout(r, 500));
    now = serverRss();
  }
  expect(now, `baseline ${baseline.toFixed(0)} MB`).toBeLessThanOrEqual(baseline + 100);
});

test('TRACE is 405 and an undecodable path is 400, both as {"errors"} with the security headers (the production server, not a unit)', async ({ request }) => {
  const trace = await request.fetch('/api/rules', { method: 'TRACE' });
  expect(trace.status()).toBe(405);
  expect(trace.headers()['allow']).toBe('GET, HEAD, POST, OPTIONS');
  expect(trace.headers()['x-content-type-options']).toBe('nosniff');
  expect((await trace.json()).errors[0].code).toBe('H_METHOD');
  for (const url of ['/api/rules/rate-card/%C0', '/rules/rate-card/%E0%A4%A']) {
    const bad = await request.get(url);
    expect(bad.status(), url).toBe(400);
    expect(bad.headers()['content-security-policy'], url).toContain("default-src 'self'");
    expect(bad.headers()['x-frame-options'], url).toBe('DENY');
    expect((await bad.json()).errors[0].code, url).toBe('H_BAD_URL');
  }
});

test.describe('user-supplied text on the history page', () => {
  const draft = path.join(RULES, 'validity/twelve-month-validity/v2.yaml');
  test.afterAll(() => rmSync(draft, { force: true }));

  test('a note with a bidi override shows the override as a visible U+202E mark, never raw', async ({ page }) => {
    await signIn(page, 'editor');
    const text = readFileSync(path.join(RULES, 'validity/twelve-month-validity/v1.yaml'), 'utf8');
    const note = 'raise \u202E01 ot 05\u202C done';
    const saved = await page.request.post('/api/versions', { data: { text, base_version: 1, note } });
    expect(saved.status()).toBe(201);
    await page.goto('/rules/validity-policy/twelve-month-validity');
    const cell = page.getByTestId('history-v2').locator('td').last();
    await expect(cell).toContainText('U+202E');
    expect(await cell.evaluate((el) => /[\u202A-\u202E\u2066-\u2069]/.test(el.textContent ?? ''))).toBe(false);
    expect(await cell.locator('bdi').count()).toBe(1);
  });
});
