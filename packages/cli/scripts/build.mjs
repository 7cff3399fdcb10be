#!/usr/bin/env node
// Builds the creditbook command into plain JavaScript (dist/creditbook.mjs) with esbuild: the CLI,
// the workspace packages it imports (engine, exporter, ...) and their pure-JS dependencies in one
// bundle, so a start does no TypeScript compilation and little module resolution. Code reached only
// through `await import(...)` (the exporter, exceljs) goes into chunks loaded on demand, so `quote`
// does not load what `export` needs. Native modules stay outside the bundle (see NATIVE).
//
// Run by `pnpm install` (the root `prepare` script) and by `pnpm build`. dist/build-info.json
// records a stamp of every source the bundle was made from; tests/build.test.ts fails when the
// sources have changed since.
import { createHash } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const cliDir = path.resolve(fileURLToPath(import.meta.url), '..', '..');
export const distDir = path.join(cliDir, 'dist');
export const infoFile = path.join(distDir, 'build-info.json');
const repoRoot = path.resolve(cliDir, '..', '..');

/** Packages with compiled add-ons: imported from where they are installed, never bundled. */
export const NATIVE = [/^@duckdb\//, /^better-sqlite3$/];

/** Packages that load files of their own by path at run time (tinypool starts its worker entry from its install): kept outside too. */
export const OUTSIDE = [...NATIVE, /^tinypool$/];

/**
 * Keeps native packages external, imported by a path relative to the bundle that points at the copy
 * the importing workspace package resolves (pnpm keeps each package's dependencies beside it, so
 * the bare name would not resolve from dist/).
 */
const nativeExternal = {
  name: 'native-external',
  setup(build) {
    build.onResolve({ filter: /^[@a-z]/ }, async (args) => {
      if (args.pluginData?.native || !OUTSIDE.some((re) => re.test(args.path))) return undefined;
      const resolved = await build.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, pluginData: { native: true } });
      if (resolved.errors.length > 0) return { errors: resolved.errors };
      const rel = path.relative(distDir, resolved.path).split(path.sep).join('/');
      return { path: rel.startsWith('.') ? rel : `./${rel}`, external: true };
    });
  },
};

const engineSchemaDir = path.join(repoRoot, 'packages/engine/src/schema');

/**
 * The engine compiles its document schemas with ajv on first use (schema/validators.ts). The build
 * compiles the same schemas, with the same settings, ahead of time (ajv's standalone code, from
 * schema/standalone.ts) and puts that module in validators.ts's place, so a start does not spend
 * its time generating validators.
 */
const precompiledSchemas = {
  name: 'precompiled-schemas',
  setup(build) {
    const target = path.join(engineSchemaDir, 'validators.ts');
    build.onLoad({ filter: /[\\/]schema[\\/]validators\.ts$/ }, async (args) => {
      if (args.path !== target) return undefined;
      const { register } = await import('tsx/esm/api');
      const unregister = register();
      try {
        const { standaloneValidatorsModule } = await import(pathToFileURL(path.join(engineSchemaDir, 'standalone.ts')).href);
        const { schemaIds } = await import(pathToFileURL(target).href);
        const kinds = Object.keys(schemaIds());
        const contents = [
          standaloneValidatorsModule(),
          `const compiled = new Map([${kinds.map((k) => `[${JSON.stringify(k)}, ${k}]`).join(', ')}]);`,
          'export function validators() { return compiled; }',
        ].join('\n');
        return { contents, loader: 'js', resolveDir: engineSchemaDir, watchFiles: [path.join(engineSchemaDir, 'standalone.ts')] };
      } finally {
        await unregister();
      }
    });
  },
};

/** The stamp of a build's inputs: the content of every workspace source, and the path (with its version) of every installed one. */
export function stampOf(inputs) {
  const hash = createHash('sha256');
  for (const input of [...inputs].sort()) {
    hash.update(input + '\0');
    if (!input.includes('node_modules/')) hash.update(readFileSync(path.join(repoRoot, input)));
    hash.update('\0');
  }
  return hash.digest('hex');
}

/** Builds dist/; returns what build-info.json records. */
export async function build() {
  const esbuild = await import('esbuild');
  rmSync(distDir, { recursive: true, force: true });
  const pkg = JSON.parse(readFileSync(path.join(cliDir, 'package.json'), 'utf8'));
  const result = await esbuild.build({
    absWorkingDir: repoRoot,
    // The portfolio's worker threads load their own entry (dist/portfolio-worker.mjs, found beside the bundle).
    entryPoints: { creditbook: path.join(cliDir, 'src/bin.ts'), 'portfolio-worker': path.join(cliDir, 'src/portfolio-worker.ts') },
    outdir: distDir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    // Chunks beside the entry: the native modules' relative import paths are computed from dist/.
    chunkNames: '[name]-[hash]',
    outExtension: { '.js': '.mjs' },
    conditions: ['node', 'import'],
    sourcemap: 'linked',
    legalComments: 'none',
    minifyWhitespace: true,
    minifySyntax: true,
    metafile: true,
    logLevel: 'warning',
    plugins: [nativeExternal, precompiledSchemas],
    // CommonJS dependencies (exceljs, ...) call require(): give the ES module bundle one.
    banner: { js: "import { createRequire as __creditbookRequire } from 'node:module';\nconst require = __creditbookRequire(import.meta.url);" },
  });
  const inputs = Object.keys(result.metafile.inputs).filter((p) => !p.startsWith('(disabled)'));
  const info = { version: pkg.version, esbuild: esbuild.version, stamp: stampOf(inputs), inputs };
  writeFileSync(infoFile, JSON.stringify(info, null, 2) + '\n');
  return info;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const info = await build();
  process.stdout.write(
    `creditbook ${info.version}: built ${path.relative(process.cwd(), path.join(distDir, 'creditbook.mjs')) || 'dist/creditbook.mjs'} from ${info.inputs.length} sources\n`,
  );
}
