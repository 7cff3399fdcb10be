import { SingleBar } from 'cli-progress';
import type { Io } from './io.ts';

/** A progress bar on stderr when it is a terminal; nothing otherwise (pipes and tests stay clean). */
export interface ProgressBar {
  update(done: number, total: number): void;
  stop(): void;
}

/** Starts a bar labelled `label`; `unit` names what is counted (shown as MB for bytes). */
export function progressBar(io: Io, label: string, unit: 'bytes' | 'items' = 'items'): ProgressBar {
  if (!io.stderr.isTTY) return { update: () => undefined, stop: () => undefined };
  const scale = unit === 'bytes' ? 1 / (1 << 20) : 1;
  const bar = new SingleBar({
    format: `${label} [{bar}] {percentage}% {value}/{total}${unit === 'bytes' ? ' MB' : ''}`,
    stream: io.stderr as unknown as NodeJS.WritableStream,
    hideCursor: true,
    clearOnComplete: true,
  });
  let started = false;
  return {
    update(done, total) {
      const [v, t] = [Math.round(done * scale), Math.max(1, Math.round(total * scale))];
      if (!started) {
        bar.start(t, v);
        started = true;
      } else bar.update(v);
    },
    stop() {
      if (started) bar.stop();
    },
  };
}
