import { NextResponse, type NextRequest } from 'next/server';
import { refuseRequest } from './lib/guard.ts';

/** Runs before every route: refuses methods the app does not answer and paths that do not decode (lib/guard.ts). */
export function proxy(req: NextRequest): Response {
  return refuseRequest(req.method, req.url) ?? NextResponse.next();
}
