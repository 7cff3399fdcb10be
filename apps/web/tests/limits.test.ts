import { describe, expect, it } from 'vitest';
import { BODY_LIMITS, MAX_PASSWORD_LENGTH } from '../lib/limits.ts';
import { safeNext } from '../lib/origin.ts';
import * as api from '../lib/routes.ts';
import { cookieOf, editor, useRulesCopy } from './support/rules-copy.ts';

useRulesCopy('limits');

const cookie = () => cookieOf(editor);

/** A body that arrives in pieces with no Content-Length, as a streaming client sends it. */
function streamed(bytes: number): ReadableStream<Uint8Array> {
  let sent = 0;
  return new ReadableStream({
    pull(c) {
      if (sent >= bytes) return c.close();
      const n = Math.min(64 * 1024, bytes - sent);
      sent += n;
      c.enqueue(new Uint8Array(n).fill(0x61));
    },
  });
}

describe('bodies are read with a limit per route', () => {
  it('a 100 MB anonymous sign-in body is 413 once the limit is passed, without reading the rest', async () => {
    let pulled = 0;
    const source = streamed(100 * 1024 * 1024);
    const reader = source.getReader();
    const counting = new ReadableStream<Uint8Array>({
      async pull(c) {
        const { done, value } = await reader.read();
        if (done) return c.close();
        pulled += value.byteLength;
        c.enqueue(value);
      },
    });
    const req = new Request('http://localhost/api/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: counting,
      duplex: 'half',
    } as RequestInit);
    const res = await api.login(req);
    expect(res.status).toBe(413);
    expect((await res.json()).errors[0].code).toBe('H_TOO_LARGE');
    // The 4 KB limit is passed within the first 64 KB piece (one or two pieces read at most).
    expect(pulled).toBeLessThanOrEqual(2 * 64 * 1024);
    expect(BODY_LIMITS.login).toBe(4 * 1024);
  });

  it('a declared Content-Length over the limit is refused before reading', async () => {
    const req = new Request('http://localhost/api/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'content-length': String(10 * 1024 * 1024) },
      body: '{}',
    });
    expect((await api.login(req)).status).toBe(413);
  });

  it('the sign-in form is bounded the same way', async () => {
    const req = new Request('http://localhost/api/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: streamed(1024 * 1024),
      duplex: 'half',
    } as RequestInit);
    expect((await api.login(req)).status).toBe(413);
  });

  it('a save of more than the rule-text limit is 413, and a rule file of the largest size is not', async () => {
    const big = JSON.stringify({ text: 'x'.repeat(BODY_LIMITS.ruleText), base_version: 2 });
    const res = await api.saveVersion(
      new Request('http://localhost/api/versions', { method: 'POST', headers: { 'content-type': 'application/json', cookie: await cookie() }, body: big }),
    );
    expect(res.status).toBe(413);
    const fits = JSON.stringify({ text: `kind: RateCard\ndescription: "${'x'.repeat(1024 * 1024 + 10)}"\n`, base_version: 2 });
    const refused = await api.saveVersion(
      new Request('http://localhost/api/versions', { method: 'POST', headers: { 'content-type': 'application/json', cookie: await cookie() }, body: fits }),
    );
    // Read whole, then refused by the engine's size check (before parsing), positioned.
    expect(refused.status).toBe(400);
    expect((await refused.json()).errors.map((e: { code: string }) => e.code)).toEqual(['Y_TOO_LARGE']);
  });

  it('JSON routes take only Content-Type: application/json (415)', async () => {
    const res = await api.validate(
      new Request('http://localhost/api/validate', {
        method: 'POST',
        headers: { 'content-type': 'text/plain', cookie: await cookie() },
        body: '{"text": "kind: RateCard"}',
      }),
    );
    expect(res.status).toBe(415);
    expect((await res.json()).errors[0].code).toBe('H_CONTENT_TYPE');
    const form = await api.quotePost(
      new Request('http://localhost/api/quote', {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: await cookie() },
        body: 'card=x',
      }),
    );
    expect(form.status).toBe(415);
  });

  it('a password longer than 256 characters is refused before it is hashed', async () => {
    const req = new Request('http://localhost/api/auth/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email: 'viewer@creditbook.local', password: 'p'.repeat(MAX_PASSWORD_LENGTH + 1) }),
    });
    const res = await api.login(req);
    expect(res.status).toBe(400);
    expect((await res.json()).errors[0].path).toBe('/password');
  });
});

describe('no open redirect after sign-in', () => {
  it.each([
    ['/\\evil.example', '/rules'],
    ['/\t/evil.example', '/rules'],
    ['/\n/evil.example', '/rules'],
    ['//evil.example', '/rules'],
    ['https://evil.example', '/rules'],
    ['/%5Cevil.example', '/%5Cevil.example'],
    ['/quote?card=kling-api#top', '/quote?card=kling-api#top'],
    ['/rules/../what-if', '/what-if'],
  ])('next=%j goes to %s', (next, to) => {
    expect(safeNext(next)).toBe(to);
  });

  it('the sign-in form, given next=/%5Cevil.example (a backslash once decoded), redirects inside the app', async () => {
    const body = new URLSearchParams({ email: 'viewer@creditbook.local', password: 'creditbook-viewer', next: '/\\evil.example' }).toString();
    const res = await api.login(
      new Request('http://localhost/api/auth/login', { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body }),
    );
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/rules');
  });
});

describe('user keys never reach a prototype', () => {
  it('?constructor=y on /api/quote names the dimension, not a function', async () => {
    const res = await api.quoteGet(
      new Request('http://localhost/api/quote?card=kling-consumer&model=kling-v2-1&mode=pro&duration=5&constructor=y', { headers: { cookie: await cookie() } }),
    );
    expect(res.status).toBe(400);
    const [e] = (await res.json()).errors;
    expect(e.message).toContain("unknown dimension 'constructor'");
    expect(e.message).not.toContain('native code');
  });
});
