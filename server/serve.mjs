// The course server: serves the built site (dist/) with the headers every page needs, and the
// local runner's endpoints (/api/*) that grade a learner's work on this machine.
// Usage: node server/serve.mjs [--host 127.0.0.1] [--port 4321]
import http from 'node:http';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { isIP } from 'node:net';
import { parseArgs } from 'node:util';
import { createLocalRunner } from '../src/server/local-runner.ts';
import { killLeftoverProcesses } from '../src/server/runner-engine.ts';
import { securityHeaders } from './headers.mjs';

const { values } = parseArgs({
  options: {
    host: { type: 'string', default: process.env.HOST ?? '127.0.0.1' },
    port: { type: 'string', default: process.env.PORT ?? '4321' },
  },
});
const host = values.host;
const port = Number(values.port);

const outDir = resolve(fileURLToPath(new URL('..', import.meta.url)), process.env.BW_OUT_DIR ?? 'dist');
const entry = pathToFileURL(join(outDir, 'server', 'entry.mjs'));
if (!existsSync(entry)) {
  console.error('The site is not built yet: run `npm run build` (or `npm start`, which builds when needed).');
  process.exit(1);
}
// The adapter must not start its own server: this one wraps it.
process.env.ASTRO_NODE_AUTOSTART = 'disabled';
const { handler: astroHandler } = await import(entry.href);

// The local runner: /api/* grades and runs learner code on this machine, behind its guards.
// A name given with --host (not an address) is one the Host header may use too.
const runner = createLocalRunner({ hostNames: isIP(host) === 0 ? [host] : [] });

const server = http.createServer((req, res) => {
  for (const [name, value] of Object.entries(securityHeaders)) res.setHeader(name, value);
  if (runner.handle(req, res)) return;
  astroHandler(req, res);
});

server.on('error', (error) => {
  if (error.code === 'EADDRINUSE') {
    console.error(`Port ${port} on ${host} is in use. Stop the other server, or choose another port: npm start -- --port 4322`);
  } else {
    console.error(error);
  }
  process.exit(1);
});

server.listen(port, host, () => {
  const shown = host.includes(':') ? `[${host}]` : host;
  console.log(`Backend Workflow is ready at http://${shown}:${port}/`);
  if (!['127.0.0.1', '::1', 'localhost'].includes(host)) {
    console.warn('Note: checks run code on this computer. Anyone who can open this address can press Check; keep it on 127.0.0.1 unless you mean to share it.');
  }
});

// Learner servers and database workers go down with the course server: nothing is left behind.
let stopping = false;
const shutdown = () => {
  if (stopping) return;
  stopping = true;
  server.close();
  server.closeAllConnections();
  runner.close().then(
    () => process.exit(0),
    (error) => {
      console.error(error);
      process.exit(1);
    },
  );
};
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
// Even when the server crashes: no learner server outlives it.
process.on('exit', killLeftoverProcesses);
