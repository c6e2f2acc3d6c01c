// `npm start`: builds the course when the build is missing or older than its sources, then serves
// it with the course server at http://127.0.0.1:4321 (offline; pass --host/--port to change).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

const outDir = process.env.BW_OUT_DIR ?? 'dist';
const stamp = join(outDir, 'client', 'pagefind', 'pagefind.js');
const sources = ['src', 'lessons', 'exercises', 'graders/core', 'public', 'astro.config.mjs', 'package.json'];

function newestMtime(path) {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(path)) {
    if (entry === 'node_modules') continue;
    newest = Math.max(newest, newestMtime(join(path, entry)));
  }
  return newest;
}

const started = performance.now();
const builtAt = existsSync(stamp) ? statSync(stamp).mtimeMs : 0;
if (builtAt === 0 || sources.some((source) => newestMtime(source) > builtAt)) {
  console.log(builtAt === 0 ? 'Building the course (first start)…' : 'Sources changed since the last build: rebuilding the course…');
  const build = spawnSync('npm', ['run', 'build', '--silent'], { stdio: 'inherit', env: { ...process.env, ASTRO_TELEMETRY_DISABLED: '1' } });
  if (build.status !== 0) {
    console.error('The build failed; see the messages above. Nothing was started.');
    process.exit(build.status ?? 1);
  }
  console.log(`Built in ${((performance.now() - started) / 1000).toFixed(1)} s.`);
}
await import('../server/serve.mjs');
