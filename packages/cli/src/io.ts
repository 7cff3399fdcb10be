/** Where a command writes: injected so tests can capture output. */
export interface Io {
  stdout: { write(s: string): unknown; isTTY?: boolean };
  stderr: { write(s: string): unknown; isTTY?: boolean };
  cwd: string;
}

/** Usage problems: exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Bad input (rules, scenarios, requests): exit code 1, message already formatted. */
export class InputError extends Error {
  override readonly name = 'InputError';
}
