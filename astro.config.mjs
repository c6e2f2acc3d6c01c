// @ts-check
import mdx from '@astrojs/mdx';
import node from '@astrojs/node';
import { defineConfig } from 'astro/config';
import { isolationHeaders } from './server/headers.mjs';
import { backendWorkflowRuntimes } from './src/server/astro-integration.ts';

// Every page is prerendered; the node adapter serves them (and the course server adds the local
// runner's endpoints in front of it: see server/serve.mjs).
export default defineConfig({
  // Helpers and tests that build in parallel can use their own output folder.
  outDir: process.env.BW_OUT_DIR ?? './dist',
  site: 'http://127.0.0.1:4321',
  trailingSlash: 'always',
  adapter: node({ mode: 'standalone' }),
  integrations: [mdx(), backendWorkflowRuntimes()],
  // `astro dev` applies these; the production server sets the same ones itself.
  server: { host: '127.0.0.1', port: 4321, headers: isolationHeaders },
  markdown: {
    shikiConfig: { themes: { light: 'github-light', dark: 'github-dark' }, defaultColor: false, wrap: false },
  },
  build: { format: 'directory' },
  devToolbar: { enabled: false },
});
