/** Types of scripts/build.mjs, for the tests. */
export const cliDir: string;
export const distDir: string;
export const infoFile: string;
export const NATIVE: readonly RegExp[];
export interface BuildInfo {
  version: string;
  esbuild: string;
  stamp: string;
  inputs: string[];
}
export function stampOf(inputs: readonly string[]): string;
export function build(): Promise<BuildInfo>;
