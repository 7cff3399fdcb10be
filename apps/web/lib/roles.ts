/** Roles, lowest first. Safe to import anywhere (no I/O). */

/** viewer < editor < approver: an approver may also edit (never approve their own draft) and may backdate. */
export type Role = 'viewer' | 'editor' | 'approver';

export const ROLES: readonly Role[] = ['viewer', 'editor', 'approver'];

/** Whether a value is one of the roles. */
export const isRole = (x: unknown): x is Role => ROLES.includes(x as Role);

/** Whether a role may do what the minimum role may. */
export function allows(role: Role, minimum: Role): boolean {
  return ROLES.indexOf(role) >= ROLES.indexOf(minimum);
}
