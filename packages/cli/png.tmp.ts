import { loadStore } from '@creditbook/engine';
import { DirectoryStore } from '@creditbook/engine/node';
import { exportScenario } from '@creditbook/exporter';
const { rules } = await loadStore(new DirectoryStore('../../rules'));
await exportScenario(rules, rules.latest('Scenario', process.argv[2]!)!.doc, process.argv[3]!, { variants: process.argv[4] === 'all' ? 'all' : ['base'] });
