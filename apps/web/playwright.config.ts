import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { defineConfig } from '@playwright/test';
import { freePort } from './e2e/ports.ts';

// A port free when the run starts, chosen once by the runner and inherited by its workers (they
// read the same variable); CREDITBOOK_E2E_PORT fixes it by hand.
process.env['CREDITBOOK_E2E_PORT'] ??= String(freePort());
const PORT = Number(process.env['CREDITBOOK_E2E_PORT']);
// The rule store the server runs on and the tests write to: a new temporary folder per run (e2e/serve.mjs copies rules/ into it).
process.env['CREDITBOOK_E2E_RULES'] ??= path.join(mkdtempSync(path.join(os.tmpdir(), 'creditbook-e2e-')), 'rules');

/** Debian's Chromium, kept off the network (it is closed here anyway). */
export const CHROMIUM = {
  executablePath: '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--no-first-run'],
};

export default defineConfig({
  testDir: 'e2e',
  testMatch: /.*\.spec\.ts$/,
  workers: 1,
  fullyParallel: false,
  retries: 0,
  timeout: 90_000,
  expect: { timeout: 15_000 },
  reporter: process.env['CI'] ? [['list']] : [['list']],
  outputDir: 'test-results',
  use: {
    baseURL: `http://127.0.0.1:${PORT}`,
    screenshot: 'only-on-failure',
    viewport: { width: 1440, height: 1000 },
    launchOptions: CHROMIUM,
    acceptDownloads: true,
  },
  projects: [{ name: 'chromium', use: { browserName: 'chromium' } }],
  webServer: {
    command: 'node e2e/serve.mjs',
    url: `http://127.0.0.1:${PORT}/login`,
    timeout: 120_000,
    reuseExistingServer: false,
    env: { PORT: String(PORT), CREDITBOOK_E2E_RULES: process.env['CREDITBOOK_E2E_RULES'] },
    stdout: 'ignore',
    stderr: 'pipe',
  },
});
