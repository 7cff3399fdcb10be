/** Runs once when the server starts (Next.js instrumentation hook): the per-request log. */
export async function register(): Promise<void> {
  if (process.env['NEXT_RUNTIME'] === 'nodejs') {
    const { installRequestLog } = await import('./lib/request-log.ts');
    installRequestLog();
  }
}
