// ESLint (flat config) for every package: typescript-eslint's type-aware checks (promises that
// nobody awaits, `any` flowing into typed code, values computed and never used), import cycles and
// the layering of the packages (eslint-plugin-import-x), and the engine's portability.
// `pnpm lint` runs it in each package (turbo), then the licence check of what ships.
import js from '@eslint/js';
import { importX } from 'eslint-plugin-import-x';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const TS = ['**/*.ts', '**/*.tsx', '**/*.mts'];
const TESTS = ['**/tests/**', '**/e2e/**', '**/*.test.ts', '**/*.spec.ts'];

export default tseslint.config(
  {
    ignores: [
      '**/node_modules/**',
      '**/dist/**',
      '**/.next/**',
      '**/.turbo/**',
      '**/coverage/**',
      '**/test-results/**',
      '**/playwright-report/**',
      'apps/web/.e2e/**',
      '**/next-env.d.ts',
      '**/*.d.mts',
    ],
  },
  js.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2022, sourceType: 'module', globals: { ...globals.node } },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
  },
  {
    files: TS,
    extends: [tseslint.configs.recommendedTypeChecked],
    languageOptions: { parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname } },
    plugins: { 'import-x': importX },
    settings: {
      'import-x/extensions': ['.ts', '.tsx', '.mts', '.js', '.mjs'],
      'import-x/resolver': { node: { extensions: ['.ts', '.tsx', '.js', '.mjs', '.json'] } },
    },
    rules: {
      // Promises: awaited, returned or explicitly voided; never handed to something that ignores them.
      '@typescript-eslint/no-floating-promises': 'error',
      // React event handlers may be async (React ignores what they return); everything else may not.
      '@typescript-eslint/no-misused-promises': ['error', { checksVoidReturn: { attributes: false } }],
      // An async function need not await (an interface's in-memory implementation, a handler that answers at once).
      '@typescript-eslint/require-await': 'off',
      // `any` may not flow into typed code unseen.
      '@typescript-eslint/no-explicit-any': 'error',
      // Values computed and never used.
      '@typescript-eslint/no-unused-vars': [
        'error',
        { args: 'after-used', argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none', ignoreRestSiblings: true },
      ],
      '@typescript-eslint/no-unused-expressions': 'error',
      // String(x) of YAML/JSON scalars for messages and keys: objects are rejected by the schemas first.
      '@typescript-eslint/no-base-to-string': 'off',
      // Imports: no cycles between modules, nothing importing itself.
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      'import-x/no-self-import': 'error',
      // Each folder's index names what it exports.
      'no-restricted-syntax': [
        'error',
        {
          selector: "ExportAllDeclaration[exported=null][exportKind!='type']",
          message: "name every export: no 'export *' (export * as ns, and export type *, are fine)",
        },
      ],
    },
  },
  {
    // React: the rules of hooks, and effects that name what they read.
    files: ['apps/web/**/*.tsx'],
    plugins: { 'react-hooks': reactHooks },
    rules: { 'react-hooks/rules-of-hooks': 'error', 'react-hooks/exhaustive-deps': 'error' },
  },
  {
    // The formula sandbox throws JSONata's own error shape ({code, message}) from inside an evaluation;
    // JSONata passes such objects through to the caller, which adds the position.
    files: ['packages/engine/src/formula/**/*.ts'],
    rules: { '@typescript-eslint/only-throw-error': 'off' },
  },
  {
    // Browser code inside page.evaluate() in the e2e scripts.
    files: ['apps/web/e2e/**'],
    languageOptions: { globals: { ...globals.node, ...globals.browser } },
  },
  {
    // Tests assert on parsed JSON (typed `any` by JSON.parse) directly; everything else still applies.
    files: TESTS,
    languageOptions: { globals: { ...globals.node } },
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  {
    // Layering: the engine depends on nothing of ours; usage and the exporter only on the engine.
    files: ['packages/engine/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@creditbook/*', '!@creditbook/engine', '!@creditbook/engine/*'],
              message: 'the engine imports no other Creditbook package (cli, web, usage, exporter -> engine, never back)',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['packages/exporter/**/*.ts', 'packages/usage/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@creditbook/cli', '@creditbook/cli/*', '@creditbook/web', '@creditbook/web/*'],
              message: 'libraries do not import the CLI or the web app',
            },
          ],
        },
      ],
    },
  },
  {
    // The engine's main entry stays free of Node: only the directory store (store/) and the
    // '@creditbook/engine/node' entry (node.ts) may use Node's modules, and nothing else imports them.
    files: ['packages/engine/src/**/*.ts'],
    ignores: ['packages/engine/src/store/**', 'packages/engine/src/node.ts'],
    rules: {
      'import-x/no-nodejs-modules': 'error',
      'import-x/no-restricted-paths': [
        'error',
        {
          basePath: import.meta.dirname,
          zones: [
            {
              target: './packages/engine/src',
              from: ['./packages/engine/src/store', './packages/engine/src/node.ts'],
              message: "Node-only: reach it through '@creditbook/engine/node'",
            },
          ],
        },
      ],
    },
  },
  {
    // Tool configs outside the packages' tsconfig projects: checked without type information.
    files: ['**/vitest.config.ts', '**/playwright.config.ts', '**/next.config.ts'],
    extends: [tseslint.configs.disableTypeChecked],
    languageOptions: { parserOptions: { projectService: false } },
  },
  {
    // Plain JavaScript (scripts, bins, configs): no type information.
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    extends: [tseslint.configs.disableTypeChecked],
  },
);
