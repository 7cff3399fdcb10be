/**
 * The closed set of problem codes. The first letter names the phase:
 * Y yaml syntax, S schema, R rule semantics, F formula, E example, Q quote,
 * C scenario / forecast, W workbook, T store, U usage history (event files, usage databases).
 */
export const MESSAGES = {
  Y_SYNTAX: 'YAML syntax error: {detail}',
  Y_DUPLICATE_KEY: 'duplicate key {detail}',
  Y_ALIAS_LIMIT: 'too many alias expansions (limit {detail})',
  Y_MULTI_DOCUMENT: 'one document per file: found a second document',
  Y_TOO_LARGE: 'file is {detail}, over the size limit',
  Y_NOT_MAPPING: 'a rule document must be a mapping',
  S_UNKNOWN_KIND: 'unknown kind {detail}',
  S_SCHEMA: '{detail}',
  R_BAD_DATE: 'not a calendar date: {detail}',
  R_DUPLICATE_VERSION: 'duplicate version: {detail}',
  R_DUPLICATE_ID: 'duplicate id: {detail}',
  R_EFFECTIVE_ORDER: 'effective dates out of order: {detail}',
  R_UNKNOWN_REFERENCE: 'unknown reference: {detail}',
  R_DIMENSION: 'dimension problem: {detail}',
  R_BAD_MONEY: 'not an exact money amount: {detail}',
  R_TAMPERED: 'published version changed after publishing: {detail}',
  F_COMPILE: 'formula does not compile: {detail}',
  F_UNKNOWN_PARAMETER: 'formula references an unknown parameter {detail}',
  F_IMPURE: 'formula calls {detail}, whose result changes from call to call: a price may depend on the request and the parameters only',
  F_EVALUATION: 'formula failed: {detail}',
  F_LIMIT: 'formula evaluation exceeded its bounds: {detail}',
  F_NOT_A_NUMBER: 'formula result is not a finite number: {detail}',
  F_NEGATIVE: 'formula result is negative: {detail}',
  F_FRACTIONAL: 'formula result is not a whole number of credits: {detail}',
  E_EXAMPLE_FAILED: 'example failed: {detail}',
  Q_UNKNOWN_CARD: 'no rate card {detail}',
  Q_NO_VERSION: 'no published version in force: {detail}',
  Q_DIMENSION: 'request problem: {detail}',
  C_UNKNOWN_REFERENCE: 'scenario refers to something that does not exist: {detail}',
  C_PERIOD: 'bad period: {detail}',
  C_VARIANT: 'unknown variant {detail}',
  C_PURCHASE: 'purchase not possible: {detail}',
  C_DEMAND: 'demand line cannot be priced: {detail}',
  C_TOO_LARGE: 'scenario too large to forecast: {detail}',
  C_REVENUE: 'revenue terms not usable: {detail}',
  C_SHARE: 'migration shares of one demand line add up to more than 1: {detail}',
  C_CURRENCY: 'scenario currency differs from the plan catalog\'s (no exchange rates are defined): {detail}',
  C_DEFAULT: 'documented default applied: {detail}',
  W_CYCLE: 'reference cycle: {detail}',
  W_REF: 'reference to a missing cell: {detail}',
  T_CONFLICT: 'stale base version: {detail}',
  T_IMMUTABLE: 'published versions never change: {detail}',
  T_BAD_ID: 'not a valid document id: {detail}',
  T_IO: 'store error: {detail}',
  T_NOT_APPROVED: 'not approved: {detail}',
  T_SELF_REVIEW: 'a draft is reviewed by someone other than its author: {detail}',
  T_REVIEW_STATE: 'not possible at this step of review: {detail}',
  T_NOTE_REQUIRED: 'a note is required when {detail}',
  T_BACKDATED: 'effective date in the past: {detail}; only an approver may backdate, with a reason',
  U_HEADER: 'usage file header: {detail}',
  U_CSV: 'CSV syntax error: {detail}',
  U_FIELDS: 'wrong number of fields: {detail}',
  U_VALUE: 'bad value: {detail}',
  U_TOO_MANY_ERRORS: 'more problems not shown: {detail}',
  U_DATABASE: 'usage database problem: {detail}',
} as const;

export type Code = keyof typeof MESSAGES;

/** Renders the message of a code with its detail. */
export function messageFor(code: Code, detail: string): string {
  return MESSAGES[code].replace('{detail}', detail);
}
