/**
 * Runs once when the server starts (Next.js instrumentation hook): requests no route should see are
 * answered first (lib/guard.ts), the per-request log, crash recovery of the store, and formulas
 * under a request's budget (rule text people type) pausing every 128 steps, so that a card whose
 * formula loops yields the thread to everyone else's requests instead of holding it.
 */
export async function register(): Promise<void> {
  if (process.env['NEXT_RUNTIME'] === 'nodejs') {
    const { guardServer } = await import('./lib/guard.ts');
    await guardServer();
    const { evaluationPause, installRequestLog } = await import('./lib/request-log.ts');
    installRequestLog();
    const { recoverStore } = await import('./lib/store.ts');
    await recoverStore();
    const { pauseBudgetedEvaluations } = await import('@creditbook/engine');
    pauseBudgetedEvaluations(128, evaluationPause);
  }
}
