#!/usr/bin/env node
// Runs the TypeScript sources directly (the packages are consumed as source), in a Node with a
// young generation big enough that short-lived objects die young. The flag applies to every
// contender alike (they share the process); docs/performance.md shows what it changes.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const FLAG = '--max-semi-space-size=256';
// --plain-heap: Node's default heap (the export section runs so, its peak memory is the point).
const plain = process.argv.includes('--plain-heap');
if (!plain && !process.execArgv.includes(FLAG)) {
  const r = spawnSync(process.execPath, [FLAG, ...process.execArgv, fileURLToPath(import.meta.url), ...process.argv.slice(2)], { stdio: 'inherit' });
  process.exit(r.status ?? 1);
}
const { register } = await import('tsx/esm/api');
register();
const { main } = await import('../src/main.ts');
process.exitCode = await main(
  process.argv.slice(2).filter((a) => a !== '--plain-heap'),
  { plainHeap: plain },
);
