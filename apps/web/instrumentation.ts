/**
 * Runs once when the server starts (Next.js instrumentation hook): requests no route should see are
 * answered first (lib/guard.ts), the per-request log, and crash recovery of the store.
 */
export async function register(): Promise<void> {
  if (process.env['NEXT_RUNTIME'] === 'nodejs') {
    const { guardServer } = await import('./lib/guard.ts');
    await guardServer();
    const { installRequestLog } = await import('./lib/request-log.ts');
    installRequestLog();
    const { recoverStore } = await import('./lib/store.ts');
    await recoverStore();
  }
}
