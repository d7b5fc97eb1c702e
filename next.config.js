// @ts-check
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The operator dashboard (app/). Served by the service's own HTTP server (server.ts) through Next's
 * request handler, beside /api/* and socket.io, so there are no rewrites or proxies here.
 *
 * @type {import('next').NextConfig}
 */
const nextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // The dev-mode badge would sit on top of the charts in screenshots and in the control room.
  devIndicators: false,
  turbopack: {
    root: dirname(fileURLToPath(import.meta.url)),
    // Model files reach the dashboard as their text, parsed by assimilation/model/model-file.ts.
    rules: { '*.yaml': { type: 'text' } },
  },
  // The build type-checks the app (and what it imports) only; `npm run typecheck` covers the rest.
  typescript: { tsconfigPath: 'tsconfig.app.json' },
};

export default nextConfig;
