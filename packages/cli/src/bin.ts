// The command's entry point: scripts/build.mjs bundles this file into dist/creditbook.mjs.
import { setFlagsFromString } from 'node:v8';

// A quote answers in a fraction of a second, a good part of which V8's optimizing compiler would
// spend on code that runs once: those commands start without it, and it is switched back on after
// a moment (when the event loop next turns), so work that turns out long is optimized as usual.
const QUICK = new Set(['quote', '--version', '-V', '--help', '-h', 'help']);
if (QUICK.has(process.argv[2] ?? '--help')) {
  setFlagsFromString('--no-opt');
  setTimeout(() => setFlagsFromString('--opt'), 250).unref();
}

// Node stays quiet about `new Buffer()` in code under node_modules; bundled, exceljs's archiver
// (archiver-utils) is no longer there, and its DEP0005 would reach the user. Only that one is dropped.
const emitWarning = process.emitWarning.bind(process);
process.emitWarning = (warning: string | Error, ...rest: unknown[]) => {
  const code = typeof rest[0] === 'object' && rest[0] !== null ? (rest[0] as { code?: string }).code : rest[1];
  if (code !== 'DEP0005') (emitWarning as (...a: unknown[]) => void)(warning, ...rest);
};

// Output piped into `head` and the like: a closed pipe ends the command quietly, not with a stack trace.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') throw e;
    process.exit(process.exitCode ?? 0);
  });
}

const { main } = await import('./main.ts');
process.exitCode = await main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, cwd: process.cwd() });
