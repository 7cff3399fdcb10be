// The e2e web server: a fresh copy of the bundled rules in $CREDITBOOK_E2E_RULES (a temporary folder
// the Playwright config makes per run; apps/web/.e2e/rules when run by hand), which the tests write
// to, never to rules/; then `next start` on it. Playwright's webServer runs this after the build.
import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const app = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const rules = process.env.CREDITBOOK_E2E_RULES ?? path.join(app, '.e2e', 'rules');
rmSync(rules, { recursive: true, force: true });
mkdirSync(rules, { recursive: true });
cpSync(path.resolve(app, '../../rules'), rules, { recursive: true });

const port = process.env.PORT ?? '3123';
const next = createRequire(import.meta.url).resolve('next/dist/bin/next');
const child = spawn(process.execPath, [next, 'start', '-p', port, '-H', '127.0.0.1'], {
  cwd: app,
  stdio: 'inherit',
  env: {
    ...process.env,
    NODE_ENV: 'production',
    NEXT_TELEMETRY_DISABLED: '1',
    CREDITBOOK_RULES_DIR: rules,
    CREDITBOOK_SESSION_SECRET: 'e2e-session-secret-0123456789abcdefghijklmnop',
  },
});
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => child.kill(sig));
child.on('exit', (code) => process.exit(code ?? 0));
