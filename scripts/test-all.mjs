// `npm test`: every check the project has, in the order that fails fastest. Stops at the first
// failing step and says which one failed.
import { spawnSync } from 'node:child_process';

const steps = [
  { name: 'type check (astro check + tsc)', command: 'npm', args: ['run', 'typecheck', '--silent'] },
  { name: 'unit tests, grader self-check and content checks (vitest)', command: 'npx', args: ['vitest', 'run'] },
  { name: 'build the course (astro build + search index)', command: 'npm', args: ['run', 'build', '--silent'] },
  { name: 'end-to-end tests (Playwright, Debian chromium)', command: 'npx', args: ['playwright', 'test'] },
];

const only = process.argv.slice(2);
const env = { ...process.env, ASTRO_TELEMETRY_DISABLED: '1' };
const timings = [];
for (const step of steps) {
  if (only.length > 0 && !only.some((word) => step.name.includes(word))) continue;
  console.log(`\n▶ ${step.name}`);
  const started = performance.now();
  const result = spawnSync(step.command, step.args, { stdio: 'inherit', env });
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  timings.push(`${step.name}: ${seconds} s`);
  if (result.status !== 0) {
    console.error(`\n✘ ${step.name} failed (exit ${result.status ?? result.signal}) after ${seconds} s.`);
    process.exit(result.status || 1);
  }
}
console.log(`\n✔ all steps passed\n  ${timings.join('\n  ')}`);
