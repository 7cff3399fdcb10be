#!/usr/bin/env node
// Import hygiene for a package's src/: no circular imports between modules, no `export *`
// in index files, and (with --no-node) no Node-only imports outside the allowed folders.
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';

const args = process.argv.slice(2);
const root = path.resolve(args.find((a) => !a.startsWith('--')) ?? 'src');
const noNode = args.includes('--no-node');
const nodeAllowed = (f) => /[\\/](store|node)[\\/]|[\\/]node\.ts$/.test(f);

const files = [];
const walk = (d) => {
  for (const e of readdirSync(d)) {
    const full = path.join(d, e);
    if (statSync(full).isDirectory()) walk(full);
    else if (/\.(ts|tsx)$/.test(e)) files.push(full);
  }
};
walk(root);

const problems = [];
const graph = new Map();
const importRe = /(?:^|\n)\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]|(?:^|\n)\s*import\s+['"]([^'"]+)['"]/g;
for (const f of files) {
  const text = readFileSync(f, 'utf8');
  const deps = [];
  for (const m of text.matchAll(importRe)) {
    const spec = m[1] ?? m[2];
    const typeOnly = /^\s*(import|export)\s+type\s/.test(m[0].trim());
    if (spec.startsWith('.')) {
      if (!typeOnly) deps.push(path.resolve(path.dirname(f), spec));
    } else if (noNode && spec.startsWith('node:') && !nodeAllowed(f)) {
      problems.push(`${path.relative(process.cwd(), f)}: Node-only import '${spec}' outside store/ (keep the engine portable)`);
    }
  }
  if (/\bexport \* from\b/.test(text) && path.basename(f) === 'index.ts' && !/export \* as /.test(text)) {
    problems.push(`${path.relative(process.cwd(), f)}: 'export *' in an index: name every export`);
  }
  graph.set(f, deps);
}

const state = new Map();
const stack = [];
const visit = (f) => {
  state.set(f, 1);
  stack.push(f);
  for (const d of graph.get(f) ?? []) {
    if (!graph.has(d)) continue;
    if (state.get(d) === 1) {
      const cycle = stack.slice(stack.indexOf(d)).concat(d).map((x) => path.relative(root, x));
      problems.push(`circular import: ${cycle.join(' -> ')}`);
    } else if (!state.has(d)) visit(d);
  }
  stack.pop();
  state.set(f, 2);
};
for (const f of files) if (!state.has(f)) visit(f);

if (problems.length > 0) {
  for (const p of problems) console.error(p);
  process.exit(1);
}
console.log(`lint: ${files.length} files, no import problems`);
