import type { NextConfig } from 'next';

const config: NextConfig = {
  // The engine is consumed as TypeScript source (its exports point at src/*.ts).
  transpilePackages: ['@creditbook/engine'],
  serverExternalPackages: ['exceljs'],
  poweredByHeader: false,
  reactStrictMode: true,
  typescript: { tsconfigPath: 'tsconfig.json' },
};

export default config;
