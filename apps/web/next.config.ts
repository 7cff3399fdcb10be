import type { NextConfig } from 'next';
import { SECURITY_HEADERS } from './lib/security-headers.ts';

const config: NextConfig = {
  async headers() {
    return [{ source: '/:path*', headers: SECURITY_HEADERS }];
  },
  // The engine and the exporter are consumed as TypeScript source (its exports point at src/*.ts).
  transpilePackages: ['@creditbook/engine', '@creditbook/exporter', '@creditbook/usage'],
  serverExternalPackages: ['exceljs', 'jszip', '@duckdb/node-api', '@duckdb/node-bindings'],
  poweredByHeader: false,
  // Responses go out uncompressed: gzip in the Node process costs more CPU per what-if than the
  // engine does (a comparison is ~60 KB of JSON); a reverse proxy in front compresses, if wanted.
  compress: false,
  reactStrictMode: true,
  typescript: { tsconfigPath: 'tsconfig.json' },
};

export default config;
