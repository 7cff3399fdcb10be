import type { NextConfig } from 'next';

const config: NextConfig = {
  // The engine and the exporter are consumed as TypeScript source (its exports point at src/*.ts).
  transpilePackages: ['@creditbook/engine', '@creditbook/exporter'],
  serverExternalPackages: ['exceljs', 'jszip'],
  poweredByHeader: false,
  reactStrictMode: true,
  typescript: { tsconfigPath: 'tsconfig.json' },
};

export default config;
