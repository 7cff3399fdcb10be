import { diagnostic, type Diagnostic } from '../diagnostics/index.ts';

/** errno codes of a store that cannot take writes, and of one that has no room left. */
const READ_ONLY = new Set(['EROFS', 'EACCES', 'EPERM']);
const FULL = new Set(['ENOSPC', 'EDQUOT', 'EFBIG']);

/**
 * The Diagnostic of a failed store read or write (an exception from the file system): E_DISK_FULL,
 * E_STORE_READ_ONLY, or T_IO for anything else; undefined when `e` is not a file-system error.
 * The detail names the errno code and the store path, never the absolute path on the server.
 */
export function ioDiagnostic(e: unknown, root?: string): Diagnostic | undefined {
  const err = e as NodeJS.ErrnoException | undefined;
  // errno codes (ENOSPC, EROFS, ...); Node's own ERR_* codes and other libraries' codes are not I/O failures.
  const code = typeof err?.code === 'string' && /^E[A-Z0-9]+$/.test(err.code) && !err.code.startsWith('ERR') ? err.code : undefined;
  const locked = err instanceof Error && /^T_IO /.test(err.message);
  if (!code && !locked) return undefined;
  const where =
    typeof err?.path === 'string'
      ? ` (${root && err.path.startsWith(root) ? err.path.slice(root.length).replace(/^[\\/]/, '') : err.path.split(/[\\/]/).pop()})`
      : '';
  if (code && FULL.has(code)) return diagnostic({ code: 'E_DISK_FULL', detail: `${code}${where}` });
  if (code && READ_ONLY.has(code)) return diagnostic({ code: 'E_STORE_READ_ONLY', detail: `${code}${where}` });
  return diagnostic({ code: 'T_IO', detail: locked ? err.message.slice(5) : `${code}${where}` });
}
