import { json } from './problems.ts';
import { ruleStore, loadRules } from './store.ts';
import pkg from '../package.json' with { type: 'json' };

/** What `GET /api/health` answers: 200 when the store can be read and its rules load, else 503. */
export interface Health {
  status: 'ok' | 'unavailable';
  version: string;
  store: { readable: boolean; files: number };
  rules: { loaded: boolean; documents: number; problems: number };
}

/** Checks the rule store and the loaded rules; never throws. */
export async function checkHealth(): Promise<Health> {
  const out: Health = {
    status: 'unavailable',
    version: pkg.version,
    store: { readable: false, files: 0 },
    rules: { loaded: false, documents: 0, problems: 0 },
  };
  try {
    out.store = { readable: true, files: (await ruleStore().list()).length };
    const loaded = await loadRules();
    const documents = loaded.result.rules.documents.length;
    out.rules = { loaded: documents > 0, documents, problems: loaded.problems.length };
  } catch {
    return out;
  }
  if (out.store.readable && out.rules.loaded) out.status = 'ok';
  return out;
}

/** GET /api/health, for the proxy and monitors (no sign-in; nothing secret in it). */
export async function healthRoute(): Promise<Response> {
  const h = await checkHealth();
  return json(h, h.status === 'ok' ? 200 : 503);
}
