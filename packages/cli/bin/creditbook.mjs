#!/usr/bin/env node
// Runs the built command (dist/, made by `pnpm install` and `pnpm build` with scripts/build.mjs).
// `pnpm creditbook:dev` runs the TypeScript sources instead (bin/creditbook-dev.mjs).
import { existsSync } from 'node:fs';

const built = new URL('../dist/creditbook.mjs', import.meta.url);
if (existsSync(built)) await import(built.href);
else {
  process.stderr.write('creditbook: the command is not built; run `pnpm build` (or `pnpm install`), or `pnpm creditbook:dev` to run the sources\n');
  process.exitCode = 1;
}
