import { defineConfig } from 'vitest/config';

export default defineConfig({
  // LibreOffice recalculations take seconds each; the files run one after another.
  test: { include: ['tests/**/*.test.ts'], testTimeout: 300_000, hookTimeout: 300_000, fileParallelism: false },
});
