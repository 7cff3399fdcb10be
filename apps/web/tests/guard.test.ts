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

describe("guardServer: Node's server answers refused requests before Next.js sees them", () => {
  it('a real HTTP server: TRACE is 405 and %C0 is 400 with the security headers; a normal request reaches the handler', async () => {
    const { guardServer } = await import('../lib/guard.ts');
    await guardServer();
    const http = await import('node:http');
    let reached = 0;
    const server = http.createServer((_req, res) => {
      reached++;
      res.end('handler');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    const send = (method: string, url: string) =>
      new Promise<{ status: number; headers: Record<string, unknown>; body: string }>((resolve, reject) => {
        const req = http.request({ host: '127.0.0.1', port, method, path: url }, (res) => {
          let body = '';
          res.on('data', (c: Buffer) => (body += c.toString()));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
        });
        req.on('error', reject);
        req.end();
      });
    try {
      const trace = await send('TRACE', '/api/rules');
      expect(trace.status).toBe(405);
      expect(trace.headers['allow']).toBe('GET, HEAD, POST, OPTIONS');
      expect(JSON.parse(trace.body).errors[0].code).toBe('H_METHOD');
      const bad = await send('GET', '/api/rules/rate-card/%C0');
      expect(bad.status).toBe(400);
      expect(bad.headers['x-content-type-options']).toBe('nosniff');
      expect(JSON.parse(bad.body).errors[0].code).toBe('H_BAD_URL');
      expect(reached).toBe(0);
      const ok = await send('GET', '/api/rules?q=%C0');
      expect([ok.status, ok.body]).toEqual([200, 'handler']);
      expect(reached).toBe(1);
    } finally {
      await new Promise((r) => server.close(r));
    }
  });
});
