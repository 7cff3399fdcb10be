/**
 * The compare thread's entry (started by lib/compare-thread.ts): it loads the store files it is sent
 * into its own rule set, as the server loaded them, and answers each comparison with the serialized
 * answer (lib/compare-run.ts, the one computation).
 */
import { parentPort } from 'node:worker_threads';
import { loadCheckedFiles, type RuleSet } from '@creditbook/engine';
import { computeAnswer } from './compare-run.ts';
import type { FromThread, ToThread } from './compare-thread.ts';

const port = parentPort!;
/** The rule sets most recently sent, by id (a request still running on an older one finds it). */
const sets = new Map<number, Promise<RuleSet>>();
const KEEP = 4;

port.on('message', (m: ToThread) => {
  if (m.kind === 'rules') {
    sets.set(
      m.id,
      loadCheckedFiles(m.files, m.manifest).then((r) => r.rules),
    );
    for (const id of sets.keys()) if (sets.size > KEEP) sets.delete(id);
    return;
  }
  const rules = sets.get(m.rules);
  (rules ? rules.then((r) => computeAnswer(r, m.scenario, m.names)) : Promise.reject(new Error(`rule set ${m.rules} was not sent to this thread`))).then(
    (run) => port.postMessage({ job: m.job, run } satisfies FromThread),
    (e: unknown) => port.postMessage({ job: m.job, failed: e instanceof Error ? e.message : String(e) } satisfies FromThread),
  );
});
