// Saves draft after draft of one rate card into a directory store, forever, announcing each step
// on stdout. The store-safety test SIGKILLs this process at chosen points and checks the store.
import { loadStore, saveDraft } from '@creditbook/engine';
import { DirectoryStore } from '@creditbook/engine/node';

const [root, id = 'kling-consumer'] = process.argv.slice(2);
if (!root) throw new Error('usage: save-loop.ts <store> [card id]');
/** Announces the atomic create, so the parent can kill the process while the file is being written. */
class AnnouncingStore extends DirectoryStore {
  override async create(path: string, text: string): Promise<'created' | 'exists'> {
    process.stdout.write(`writing ${path}\n`);
    return super.create(path, text);
  }
}
const store = new AnnouncingStore(root);
for (let i = 1; ; i++) {
  const { rules } = await loadStore(store);
  const latest = rules.versions('RateCard', id).at(-1)!;
  const text = latest.source.text.replace(/^title: .*$/m, `title: save loop ${i}`);
  process.stdout.write(`saving ${i} on v${latest.doc.version}\n`);
  const saved = await saveDraft(store, { text, baseVersion: latest.doc.version, author: 'save-loop', note: `iteration ${i}` });
  if (!saved.ok) throw new Error(`save ${i} failed: ${saved.errors.map((e) => e.message).join('; ')}`);
  process.stdout.write(`saved ${i} v${saved.version}\n`);
}
