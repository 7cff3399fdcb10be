import { parseArgs, type ParseArgsConfig } from 'node:util';
import { UsageError, type Io } from './io.ts';

/** A command's parsed flags. */
export type Values = Record<string, string | boolean | (string | boolean)[] | undefined>;

/** Parses a command's flags (plus --json, --rules, --help); a bad flag is a usage error. */
export function parse(
  args: string[],
  options: NonNullable<ParseArgsConfig['options']>,
  positionals: { min: number; max: number },
): { values: Values; positionals: string[] } {
  let parsed: { values: Values; positionals: string[] };
  try {
    parsed = parseArgs({
      args,
      options: { ...options, json: { type: 'boolean' }, rules: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
      allowPositionals: true,
      strict: true,
    });
  } catch (e) {
    throw new UsageError((e as Error).message);
  }
  if (parsed.positionals.length < positionals.min || parsed.positionals.length > positionals.max) {
    throw new UsageError(
      positionals.min === positionals.max && positionals.min === 1
        ? 'expected one scenario file'
        : `unexpected argument '${parsed.positionals[positionals.max] ?? ''}'`,
    );
  }
  return parsed;
}

/** Prints a value as the command's JSON answer. */
export const json = (io: Io, value: unknown) => io.stdout.write(JSON.stringify(value, null, 2) + '\n');
