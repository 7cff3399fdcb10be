/** Node-only parts of the engine: the directory rule store. */
export { DirectoryStore, safeJoin, type DiskOps } from './store/directory.ts';
export { ioDiagnostic } from './store/io.ts';
