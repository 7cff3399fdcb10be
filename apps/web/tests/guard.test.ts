import { describe, expect, it } from 'vitest';
import { refuseRequest } from '../lib/guard.ts';

describe('requests no route should see', () => {
  it('TRACE, TRACK and CONNECT are 405 {"errors": [H_METHOD]} with Allow and the security headers', async () => {
    for (const method of ['TRACE', 'TRACK', 'CONNECT', 'PROPFIND']) {
      const res = refuseRequest(method, 'http://localhost/api/rules')!;
      expect(res.status, method).toBe(405);
      expect(res.headers.get('allow')).toBe('GET, HEAD, POST, OPTIONS');
      expect(res.headers.get('x-content-type-options')).toBe('nosniff');
      expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
      expect(((await res.json()) as { errors: { code: string }[] }).errors.map((e) => e.code)).toEqual(['H_METHOD']);
    }
  });

  it('a path whose percent-encoding does not decode is 400 {"errors": [H_BAD_URL]} with the security headers', async () => {
    for (const url of ['http://localhost/api/rules/rate-card/%C0', 'http://localhost/rules/%E0%A4%A', 'http://localhost/%', 'http://localhost/api/quote%ZZ']) {
      const res = refuseRequest('GET', url)!;
      expect(res, url).toBeDefined();
      expect(res.status, url).toBe(400);
      expect(res.headers.get('x-frame-options')).toBe('DENY');
      expect(((await res.json()) as { errors: { code: string }[] }).errors.map((e) => e.code)).toEqual(['H_BAD_URL']);
    }
  });

  it('ordinary requests pass, a malformed escape in the query string too (routes read it themselves)', () => {
    expect(refuseRequest('GET', 'http://localhost/api/rules/rate-card/kling-consumer')).toBeUndefined();
    expect(refuseRequest('post', 'http://localhost/api/versions')).toBeUndefined();
    expect(refuseRequest('HEAD', 'http://localhost/rules/rate-card/caf%C3%A9')).toBeUndefined();
    expect(refuseRequest('GET', 'http://localhost/api/quote?card=%C0')).toBeUndefined();
  });
});
