import type { ErrorObject } from 'ajv';
import { SCHEMAS } from './schemas.ts';
import { validators } from './validators.ts';
import type { Kind } from '../rules/types.ts';

export { SCHEMAS };

export interface SchemaIssue {
  /** JSON pointer of the offending value. */
  readonly path: string;
  /** A key to point at inside the value at path (an unknown field). */
  readonly key?: string;
  readonly message: string;
}

/** Validates a document against its kind's schema; returns one issue per distinct problem. */
export function validateSchema(kind: Kind, data: unknown): SchemaIssue[] {
  const validate = validators().get(kind);
  if (!validate || validate(data)) return [];
  return simplify(validate.errors ?? []);
}

function describe(e: ErrorObject): SchemaIssue {
  const p = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'additionalProperties':
      return { path: e.instancePath, key: String(p['additionalProperty']), message: `unknown field '${String(p['additionalProperty'])}'` };
    case 'required':
      return { path: e.instancePath, message: `missing field '${String(p['missingProperty'])}'` };
    case 'enum':
      return { path: e.instancePath, message: `must be one of ${(p['allowedValues'] as unknown[]).map((v) => JSON.stringify(v)).join(', ')}` };
    case 'const':
      return { path: e.instancePath, message: `must be ${JSON.stringify(p['allowedValue'])}` };
    case 'propertyNames':
      return { path: e.instancePath, key: String(p['propertyName']), message: `bad name '${String(p['propertyName'])}'` };
    case 'type':
      return { path: e.instancePath, message: `must be ${([] as unknown[]).concat(p['type']).join(' or ')}` };
    default:
      return { path: e.instancePath, message: e.message ?? e.keyword };
  }
}

/**
 * ajv reports every branch of a oneOf. Keep the most specific problems: drop a oneOf/anyOf
 * summary when a deeper or same-path error explains it, and drop duplicates.
 */
function simplify(errors: readonly ErrorObject[]): SchemaIssue[] {
  const branch = (e: ErrorObject) => /\/(oneOf|anyOf)\/\d+\//.test(e.schemaPath);
  // A branch of a oneOf that accepted the value's type failed on a constraint: that is the problem,
  // not the other branches' "must be string". A name that fails propertyNames is reported once, by name.
  const constrained = new Set(errors.filter((e) => branch(e) && e.keyword !== 'type').map((e) => e.instancePath));
  const specific = errors.filter(
    (e) =>
      e.keyword !== 'oneOf' &&
      e.keyword !== 'anyOf' &&
      e.keyword !== 'if' &&
      e.propertyName === undefined &&
      !(e.keyword === 'type' && branch(e) && constrained.has(e.instancePath)),
  );
  const chosen = specific.length > 0 ? specific : errors;
  const seen = new Set<string>();
  const out: SchemaIssue[] = [];
  for (const e of chosen) {
    if (e.keyword === 'type' && chosen.some((o) => o !== e && o.instancePath.startsWith(e.instancePath + '/'))) continue;
    const issue = describe(e);
    const key = `${issue.path}|${issue.key ?? ''}|${issue.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push(issue);
  }
  return collapseTypeUnions(collapseRequiredChoices(out, chosen));
}

/** A oneOf of `required` branches (`values` or `range`) missing every branch is one problem, not one per branch. */
function collapseRequiredChoices(issues: SchemaIssue[], errors: readonly ErrorObject[]): SchemaIssue[] {
  const choices = new Map<string, string[]>();
  for (const e of errors) {
    if (e.keyword !== 'required' || !/\/oneOf\/\d+\/required$/.test(e.schemaPath)) continue;
    choices.set(e.instancePath, [...(choices.get(e.instancePath) ?? []), String((e.params as Record<string, unknown>)['missingProperty'])]);
  }
  const out: SchemaIssue[] = [];
  for (const i of issues) {
    const names = choices.get(i.path);
    if (!names || names.length < 2 || !i.message.startsWith('missing field ')) out.push(i);
    else if (i.message === `missing field '${names[0]}'`) out.push({ ...i, message: `missing field ${names.map((n) => `'${n}'`).join(' or ')}` });
  }
  return out;
}

/** "must be string" and "must be number" at one path (a oneOf of scalars) read better as one line. */
function collapseTypeUnions(issues: SchemaIssue[]): SchemaIssue[] {
  const byPath = new Map<string, SchemaIssue[]>();
  for (const i of issues) byPath.set(i.path + '|' + (i.key ?? ''), [...(byPath.get(i.path + '|' + (i.key ?? '')) ?? []), i]);
  const out: SchemaIssue[] = [];
  for (const group of byPath.values()) {
    const types = group.filter((i) => /^must be (string|number|integer|object|array|boolean|null)$/.test(i.message));
    if (types.length > 1) {
      const first = types[0] as SchemaIssue;
      out.push({ ...first, message: `must be ${types.map((t) => t.message.slice(8)).join(' or ')}` });
      out.push(...group.filter((i) => !types.includes(i)));
    } else out.push(...group);
  }
  return out;
}
