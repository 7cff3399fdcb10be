import { Worker } from 'node:worker_threads';
import type { RuleSet, Scenario, StoredFile } from '@creditbook/engine';
import { computeAnswer, type CompareAnswer, type Run } from './compare-run.ts';
import { env } from './env.ts';
import { logger } from './log.ts';

/** The store a rule set was loaded from: the compare thread loads the same files into its own rule set. */
export interface RuleSource {
  readonly rules: RuleSet;
  readonly files: readonly StoredFile[];
  readonly manifest: string | undefined;
}

/** What the compare thread is sent: a store's files (once per loaded rule set), then comparisons over it. */
export type ToThread =
  | { kind: 'rules'; id: number; files: readonly StoredFile[]; manifest: string | undefined }
  | { kind: 'compare'; job: number; rules: number; scenario: Scenario; names: readonly string[] | undefined };

/** What it answers for each comparison: the run (the serialized answer or its problems), or why it failed. */
export type FromThread = { job: number; run: Run<CompareAnswer> } | { job: number; failed: string };

interface Job {
  resolve(run: Run<CompareAnswer>): void;
  reject(e: Error): void;
  /** Computes the job in this thread instead (the compare thread stopped before answering). */
  redo(): void;
}

interface Thread {
  worker: Worker;
  /** The rule set the thread holds (ids as `ruleSetId` gives them). */
  rules: number | undefined;
  jobs: Map<number, Job>;
}

const ruleSetIds = new WeakMap<RuleSet, number>();
let lastRuleSetId = 0;

/** A number for each loaded rule set, the same for as long as it is loaded. */
export function ruleSetId(rules: RuleSet): number {
  let id = ruleSetIds.get(rules);
  if (id === undefined) ruleSetIds.set(rules, (id = ++lastRuleSetId));
  return id;
}

// Inside Next.js its bundler builds lib/compare-worker.ts (and what it imports) as the thread's entry.
// Elsewhere this module runs from TypeScript source (the unit tests): the thread runs the same entry from
// source, through tsx.
const fromSource = process.env.NEXT_RUNTIME !== 'nodejs';
let thread: Thread | undefined;
let nextJob = 0;
/** Comparisons the thread has answered since the server started. */
let answered = 0;

/** Whether the compare thread is running, and how many comparisons it has answered. */
export function compareThreadState(): { running: boolean; answered: number } {
  return { running: thread !== undefined, answered };
}

/** Stops the compare thread (its unanswered comparisons are computed here); the next comparison starts a new one. */
export async function closeCompareThread(): Promise<void> {
  const t = thread;
  if (t) await t.worker.terminate();
}

function stop(t: Thread, why: string): void {
  if (thread === t) thread = undefined;
  if (t.jobs.size > 0) logger().warn({ jobs: t.jobs.size, reason: why }, 'compare thread stopped; its comparisons run in the server thread');
  const jobs = [...t.jobs.values()];
  t.jobs.clear();
  for (const j of jobs) j.redo();
}

function open(): Thread | undefined {
  if (!env().compareThread) return undefined;
  if (thread) return thread;
  const worker = fromSource
    ? new Worker(
        `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(new URL('./compare-worker.ts', import.meta.url).href)}); });`,
        {
          eval: true,
          name: 'creditbook-compare',
        },
      )
    : new Worker(new URL('./compare-worker.ts', import.meta.url), { name: 'creditbook-compare' });
  // It never keeps the server running: a shutdown waits for saves, not for comparisons.
  worker.unref();
  const t: Thread = { worker, rules: undefined, jobs: new Map() };
  worker.on('message', (m: FromThread) => {
    const j = t.jobs.get(m.job);
    if (!j) return;
    t.jobs.delete(m.job);
    if ('failed' in m) j.reject(new Error(m.failed));
    else {
      answered++;
      j.resolve(m.run);
    }
  });
  worker.on('error', (e) => {
    logger().error({ err: e }, 'compare thread failed');
    stop(t, e.message);
  });
  worker.on('exit', (code) => stop(t, `exited with code ${code}`));
  thread = t;
  return t;
}

/**
 * `creditbook compare` of a what-if, serialized, on the compare thread: the engine's work and the
 * answer's serialization leave the server's event loop free for the requests that arrive meanwhile
 * (sign-ins, saves, remembered answers), and use a second core. With the thread turned off
 * (`CREDITBOOK_COMPARE_THREAD=off`), or for the comparisons it had when it stopped, the same
 * computation runs here (lib/compare-run.ts).
 */
export function compareOnThread(source: RuleSource, scenario: Scenario, names: readonly string[] | undefined): Promise<Run<CompareAnswer>> {
  const here = () => computeAnswer(source.rules, scenario, names);
  const t = open();
  if (!t) return here();
  const id = ruleSetId(source.rules);
  if (t.rules !== id) {
    t.worker.postMessage({ kind: 'rules', id, files: source.files, manifest: source.manifest } satisfies ToThread);
    t.rules = id;
  }
  const job = ++nextJob;
  return new Promise<Run<CompareAnswer>>((resolve, reject) => {
    t.jobs.set(job, { resolve, reject, redo: () => void here().then(resolve, reject) });
    t.worker.postMessage({ kind: 'compare', job, rules: id, scenario, names } satisfies ToThread);
  });
}
