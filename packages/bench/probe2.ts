import { forecast, type Scenario } from '@creditbook/engine';
import { loadBundled } from './src/sections.ts';
const rules = await loadBundled('../../rules');
const scenario = rules.latest('Scenario', 'agency-campaigns')!.doc as Scenario;
const fc = await forecast(rules, scenario);
console.log(Object.keys(fc));
const lots = (fc as any).lots ?? [];
console.log(lots.length, Object.keys(lots[0] ?? {}));
for (const l of lots) if (l.source === 'top_up' || l.auto || l.planned?.auto) console.log(l.id ?? l.ref, l.granted, l.amount, l.price);
