import { Ajv, type Options, type ValidateFunction } from 'ajv';
import type { Kind } from '../rules/types.ts';
import { COMMON_SCHEMA, SCHEMAS } from './schemas.ts';

/**
 * An ajv holding every document schema. The CLI's build compiles the same schemas ahead of time
 * from this (packages/cli/scripts/build.mjs, with ajv's standalone code), so a command start does
 * not spend its time generating validators; everything else compiles them here on first use.
 */
export function schemaAjv(extra: Options = {}): Ajv {
  const ajv = new Ajv({ allErrors: true, strict: false, ...extra });
  ajv.addSchema(COMMON_SCHEMA);
  for (const schema of Object.values(SCHEMAS)) ajv.addSchema(schema);
  return ajv;
}

/** The `$id` of each kind's schema. */
export function schemaIds(): Record<Kind, string> {
  return Object.fromEntries(Object.entries(SCHEMAS).map(([kind, schema]) => [kind, (schema as { $id: string }).$id])) as Record<Kind, string>;
}

let compiled: ReadonlyMap<Kind, ValidateFunction> | undefined;

/** Each kind's validator, compiled on first use. */
export function validators(): ReadonlyMap<Kind, ValidateFunction> {
  if (compiled) return compiled;
  const ajv = schemaAjv();
  compiled = new Map(Object.entries(schemaIds()).map(([kind, id]) => [kind as Kind, ajv.getSchema(id)!]));
  return compiled;
}
