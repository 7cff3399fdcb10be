#!/usr/bin/env node
// Fails when something Creditbook ships is under a copyleft licence, or has no licence we can read.
// "Ships" = the runtime dependencies (dependencies and installed optionalDependencies, transitively)
// of every workspace package except the benchmark; development tools are not shipped. The licence
// is each installed package's own package.json `license` (an SPDX expression) or legacy `licenses`.
// An expression with OR is acceptable when one of its choices is.
import { existsSync, readFileSync, readdirSync, realpathSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** Strong and weak copyleft: none of these may ship. */
const COPYLEFT = /\b(A?GPL|LGPL|MPL|EPL|EUPL|CDDL|CPAL|OSL|SSPL|CC-BY-SA|RPL|QPL|Sleepycat)\b/i;
const NOT_SHIPPED = new Set(['@creditbook/bench']);
/** Packages without a declared licence that were looked at by hand (docs/dependencies.md says why). */
const REVIEWED = new Map([['buffers@0.1.1', 'no licence declared; a buffer-list helper by the author of binary (MIT); not copyleft']]);

/** Where a package named `name` required from `dir` is installed (Node's lookup: node_modules upwards). */
function locate(name, dir) {
  for (let d = dir; ; d = path.dirname(d)) {
    const candidate = path.join(d, 'node_modules', name, 'package.json');
    if (existsSync(candidate)) return realpathSync(path.dirname(candidate));
    if (path.dirname(d) === d) return undefined;
  }
}

function licenceOf(pkg) {
  if (typeof pkg.license === 'string') return pkg.license;
  if (pkg.license && typeof pkg.license.type === 'string') return pkg.license.type;
  if (Array.isArray(pkg.licenses)) return pkg.licenses.map((l) => (typeof l === 'string' ? l : l.type)).join(' OR ');
  return undefined;
}

/** Whether an SPDX expression lets us ship: some OR-choice whose every AND-part is not copyleft. */
export function acceptable(expr) {
  const choices = expr.replace(/[()]/g, ' ').split(/\s+OR\s+/i);
  return choices.some((c) =>
    c.split(/\s+AND\s+/i).every((part) => part.trim() !== '' && !COPYLEFT.test(part) && !/^(UNLICENSED|SEE LICENSE)/i.test(part.trim())),
  );
}

const workspaces = ['packages', 'apps']
  .flatMap((d) => readdirSync(path.join(root, d)).map((n) => path.join(root, d, n)))
  .filter((d) => existsSync(path.join(d, 'package.json')));
const seen = new Map(); // real dir -> {name, version, licence, via}
const problems = [];
for (const ws of workspaces) {
  const pkg = JSON.parse(readFileSync(path.join(ws, 'package.json'), 'utf8'));
  if (NOT_SHIPPED.has(pkg.name)) continue;
  const queue = [{ dir: ws, pkg, via: pkg.name }];
  while (queue.length > 0) {
    const { dir, pkg: p, via } = queue.shift();
    const names = [...Object.keys(p.dependencies ?? {}), ...Object.keys(p.optionalDependencies ?? {})];
    for (const name of names) {
      const at = locate(name, dir);
      if (!at) {
        if (!(name in (p.optionalDependencies ?? {}))) problems.push(`${name}: required by ${via} but not installed`);
        continue;
      }
      if (seen.has(at)) continue;
      const dep = JSON.parse(readFileSync(path.join(at, 'package.json'), 'utf8'));
      if (at.startsWith(path.join(root, 'packages')) || at.startsWith(path.join(root, 'apps'))) {
        seen.set(at, { name: dep.name, version: dep.version, licence: 'workspace', via });
        continue; // a workspace package: its own dependencies are walked from its own entry
      }
      const licence = licenceOf(dep);
      seen.set(at, { name: dep.name, version: dep.version, licence: licence ?? '(none)', via });
      if (!licence) {
        if (!REVIEWED.has(`${dep.name}@${dep.version}`)) problems.push(`${dep.name}@${dep.version}: no licence in its package.json (via ${via})`);
      } else if (!acceptable(licence)) problems.push(`${dep.name}@${dep.version}: ${licence} (via ${via})`);
      queue.push({ dir: at, pkg: dep, via: `${via} > ${dep.name}` });
    }
  }
}

if (process.argv.includes('--list')) {
  const counts = new Map();
  for (const { licence } of seen.values()) counts.set(licence, (counts.get(licence) ?? 0) + 1);
  for (const [l, n] of [...counts].sort((a, b) => b[1] - a[1])) process.stdout.write(`${String(n).padStart(5)}  ${l}\n`);
}
if (problems.length > 0) {
  process.stderr.write(`licences: ${problems.length} problem(s) in what ships:\n  ${problems.join('\n  ')}\n`);
  process.exit(1);
}
process.stdout.write(`licences: ${seen.size} shipped packages, none copyleft\n`);
