// `npm run bench`: prints the figures the project's budgets are about. Never fails on a slow
// machine; it reports. Parts: build time (--build), page weight, workbench timings, grading.
//   npm run bench                 page weight, workbench, grading
//   npm run bench -- --build      also time a full `astro build`
//   npm run bench -- grading      only one part (build | pages | workbench | grading)
import { spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const args = process.argv.slice(2);
const parts = args.filter((arg) => !arg.startsWith('--'));
const want = (part) => parts.length === 0 || parts.includes(part);
const env = { ...process.env, ASTRO_TELEMETRY_DISABLED: '1' };
const port = 4399;

if (args.includes('--build') || parts.includes('build')) {
  const started = performance.now();
  const build = spawnSync('npm', ['run', 'build', '--silent'], { stdio: 'ignore', env });
  console.log(`\nastro build + search index: ${((performance.now() - started) / 1000).toFixed(1)} s (exit ${build.status}; budget 60 s)`);
}

if (want('pages') || want('workbench')) {
  if (!existsSync('dist/server/entry.mjs')) {
    console.log('\nThe site is not built: run `npm run build` first (or `npm run bench -- --build`). Skipping page figures.');
  } else {
    const server = spawn(process.execPath, ['server/serve.mjs', '--port', String(port)], { stdio: 'ignore', env });
    try {
      for (let attempt = 0; attempt < 100; attempt++) {
        if (await fetch(`http://127.0.0.1:${port}/`).then(() => true, () => false)) break;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      const benchEnv = { ...env, BENCH_BASE_URL: `http://127.0.0.1:${port}` };
      if (want('pages')) spawnSync(process.execPath, ['tests/bench/page-weight.ts'], { stdio: 'inherit', env: benchEnv });
      if (want('workbench') && existsSync('tests/bench/workbench.mjs')) spawnSync(process.execPath, ['tests/bench/workbench.mjs'], { stdio: 'inherit', env: benchEnv });
    } finally {
      server.kill();
    }
  }
}

if (want('grading')) spawnSync(process.execPath, ['tests/bench/grading.ts'], { stdio: 'inherit', env });
