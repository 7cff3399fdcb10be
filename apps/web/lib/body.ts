import { bodyLimit } from './limits.ts';
import { problems, webProblem } from './problems.ts';

export type BodyRead<T> = { ok: true; body: T } | { ok: false; response: Response };

/** Reads a request's body as bytes, stopping (413) as soon as it passes the limit. */
export async function readBytes(req: Request, limit: number = bodyLimit(new URL(req.url).pathname)): Promise<BodyRead<Uint8Array>> {
  const tooLarge = (): BodyRead<Uint8Array> => ({ ok: false, response: problems(413, [webProblem('H_TOO_LARGE', `more than ${limit} bytes`)]) });
  const declared = req.headers.get('content-length');
  if (declared !== null && Number(declared) > limit) return tooLarge();
  if (req.body === null) return { ok: true, body: new Uint8Array(0) };
  const reader = req.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => undefined);
      return tooLarge();
    }
    chunks.push(value);
  }
  const out = new Uint8Array(size);
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.byteLength;
  }
  return { ok: true, body: out };
}

const isJson = (type: string) => /^application\/json\s*(;|$)/i.test(type.trim());

/**
 * A JSON route's body: `Content-Type: application/json` (415 otherwise, unless the body is empty),
 * at most the route's limit (413), parsed (400 H_BAD_JSON). An empty body is `{}`.
 */
export async function readJsonBody(req: Request, limit?: number): Promise<BodyRead<unknown>> {
  const type = req.headers.get('content-type') ?? '';
  const bytes = await readBytes(req, limit);
  if (!bytes.ok) return bytes;
  if (bytes.body.byteLength === 0) return { ok: true, body: {} };
  if (!isJson(type)) return { ok: false, response: problems(415, [webProblem('H_CONTENT_TYPE', type === '' ? 'none' : type)]) };
  const text = new TextDecoder().decode(bytes.body);
  try {
    return { ok: true, body: JSON.parse(text) as unknown };
  } catch (e) {
    return { ok: false, response: problems(400, [webProblem('H_BAD_JSON', (e as Error).message)]) };
  }
}

/** A form post's fields (the sign-in form before its script runs), read within the route's limit. */
export async function readFormBody(req: Request, limit?: number): Promise<BodyRead<URLSearchParams>> {
  const bytes = await readBytes(req, limit);
  if (!bytes.ok) return bytes;
  return { ok: true, body: new URLSearchParams(new TextDecoder().decode(bytes.body)) };
}
