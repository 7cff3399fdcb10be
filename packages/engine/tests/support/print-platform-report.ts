// Prints the engine's figures for docs/platforms.md: pnpm --filter @creditbook/engine exec tsx tests/support/print-platform-report.ts
import path from 'node:path';
import { loadStore } from '@creditbook/engine';
import { DirectoryStore } from '@creditbook/engine/node';
import { platformReport } from './platform-report.ts';

const { rules } = await loadStore(new DirectoryStore(path.resolve(import.meta.dirname, '..', '..', '..', '..', 'rules')));
process.stdout.write((await platformReport(rules)) + '\n');
