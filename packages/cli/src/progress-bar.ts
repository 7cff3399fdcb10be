import { SingleBar } from 'cli-progress';
import type { Io } from './io.ts';

/**
 * Progress of long work (export of many variants, validation of a big store, imports, backtests,
 * portfolios): one bar on stderr with the counts, the percentage, the time so far and an ETA
 * (cli-progress). Drawn only when stderr is a terminal and the command is not asked for `--json`;
 * piped output and tests see nothing. Every command that shows progress uses this one helper.
 *
 *   const bar = progressBar(io, 'exporting', { unit: 'forecasts', quiet: Boolean(values.json) });
 *   try { await work({ onProgress: (done, total) => bar.update(done, total) }); } finally { bar.stop(); }
 */
export interface ProgressBar {
  /** `done` of `total` so far (the first call draws the bar). */
  update(done: number, total: number): void;
  /** Clears the bar; safe to call twice. */
  stop(): void;
}

export interface ProgressOptions {
  /** What is counted, shown after the counts (`bytes` are shown as MB). Default: `items`. */
  unit?: string;
  /** No bar at all (the command was given `--json`). */
  quiet?: boolean;
}

const NONE: ProgressBar = { update: () => undefined, stop: () => undefined };

/** A bar labelled `label`, or one that draws nothing when stderr is not a terminal or `quiet` is set. */
export function progressBar(io: Io, label: string, options: ProgressOptions | string = {}): ProgressBar {
  const { unit = 'items', quiet = false } = typeof options === 'string' ? { unit: options } : options;
  if (quiet || !io.stderr.isTTY) return NONE;
  const bytes = unit === 'bytes';
  const scale = bytes ? 1 / (1 << 20) : 1;
  const bar = new SingleBar({
    format: `${label} [{bar}] {percentage}% | {value}/{total} ${bytes ? 'MB' : unit} | {duration_formatted} elapsed, ETA {eta_formatted}`,
    stream: io.stderr as unknown as NodeJS.WritableStream,
    barsize: 24,
    hideCursor: false,
    clearOnComplete: true,
    etaBuffer: 20,
  });
  let started = false;
  let stopped = false;
  return {
    update(done, total) {
      if (stopped) return;
      const [v, t] = [Math.round(done * scale), Math.max(1, Math.round(total * scale))];
      if (!started) {
        bar.start(t, v);
        started = true;
      } else {
        bar.setTotal(t);
        bar.update(v);
      }
    },
    stop() {
      if (started && !stopped) bar.stop();
      stopped = true;
    },
  };
}
