// The course server: serves the built site (dist/) with the headers every page needs, and the
// local runner's endpoints (/api/*) that grade a learner's work on this machine.
// Usage: node server/serve.mjs [--host 127.0.0.1] [--port 4321]
import http from 'node:http';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
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

const server = http.createServer((req, res) => {
  for (const [name, value] of Object.entries(securityHeaders)) res.setHeader(name, value);
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
});

const shutdown = () => server.close(() => process.exit(0));
process.on('SIGINT', shutdown);
process.on('SIGTERM', shutdown);
