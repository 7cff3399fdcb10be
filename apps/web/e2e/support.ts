import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect, type Page } from '@playwright/test';

const here = path.dirname(fileURLToPath(import.meta.url));
export const APP = path.resolve(here, '..');
export const ROOT = path.resolve(APP, '../..');
/** The temporary copy of the bundled rules the e2e server runs on (made by e2e/serve.mjs, in a folder the config chose). */
export const RULES = process.env['CREDITBOOK_E2E_RULES'] ?? path.join(APP, '.e2e', 'rules');

export const ACCOUNTS = {
  editor: { email: 'editor@creditbook.local', password: 'creditbook-editor' },
  viewer: { email: 'viewer@creditbook.local', password: 'creditbook-viewer' },
  approver: { email: 'approver@creditbook.local', password: 'creditbook-approver' },
} as const;

/** Signs in through the sign-in page. */
export async function signIn(page: Page, role: keyof typeof ACCOUNTS, next = '/rules'): Promise<void> {
  await page.goto(`/login?next=${encodeURIComponent(next)}`);
  await page.fill('input[name=email]', ACCOUNTS[role].email);
  await page.fill('input[name=password]', ACCOUNTS[role].password);
  await page.click('button[type=submit]');
  await page.waitForURL((u) => u.pathname === next);
  await expect(page.getByTestId('user-role')).toHaveText(role);
}

/** Runs the creditbook CLI on the e2e rule store; returns stdout, stderr and the exit code. */
export function cli(args: string[]): { stdout: string; stderr: string; code: number } {
  try {
    const stdout = execFileSync(process.execPath, [path.join(ROOT, 'packages/cli/bin/creditbook.mjs'), ...args], {
      cwd: ROOT,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      // A portfolio comparison with bands prints more than a megabyte (the default limit).
      maxBuffer: 256 * 1024 * 1024,
    });
    return { stdout, stderr: '', code: 0 };
  } catch (e) {
    // A failure to run at all (no exit status) says why in stderr.
    const err = e as { stdout?: string; stderr?: string; status?: number | null; message?: string };
    return { stdout: err.stdout ?? '', stderr: err.stderr || (err.message ?? ''), code: err.status ?? 1 };
  }
}

/** Waits until the editor's live validation has settled. */
export async function settled(page: Page): Promise<void> {
  await expect(page.getByTestId('validation-status')).not.toContainText('Checking');
}

/** The whole text of the YAML source view (CodeMirror renders only the lines on screen). */
export function editorText(page: Page): Promise<string> {
  return page
    .getByTestId('yaml-editor')
    .evaluate((el) => (el as HTMLElement & { editorView: { state: { doc: { toString(): string } } } }).editorView.state.doc.toString());
}
