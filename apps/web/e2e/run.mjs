// Runs the browser journeys with port 3123 (the old fixed port) held by another listener, so every
// run shows that the suite picks its own free port (playwright.config.ts) and needs no port free.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createServer } from 'node:net';
import { createRequire } from 'node:module';

const HELD = 3123;
const holder = createServer();
const held = await new Promise((resolve) => {
  holder.once('error', () => resolve(false)); // already taken by someone else: taken either way
  holder.listen(HELD, '127.0.0.1', () => resolve(true));
});
process.env.CREDITBOOK_E2E_HELD_PORT = String(HELD);
// The run's rule store, removed afterwards (the config uses this one rather than making its own).
const store = mkdtempSync(path.join(os.tmpdir(), 'creditbook-e2e-'));
process.env.CREDITBOOK_E2E_RULES = path.join(store, 'rules');
const cli = createRequire(import.meta.url).resolve('@playwright/test/cli');
const child = spawn(process.execPath, [cli, 'test', ...process.argv.slice(2)], { stdio: 'inherit' });
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
child.on('exit', (code, signal) => {
  if (held) holder.close();
  rmSync(store, { recursive: true, force: true });
  process.exit(code ?? (signal ? 1 : 0));
});
