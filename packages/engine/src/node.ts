/** Node-only parts of the engine: the directory rule store. */
export { DirectoryStore, safeJoin } from './store/directory.ts';
