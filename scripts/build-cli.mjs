// Compiles the graders and the CLI to lib/ for the published package: Node does not strip
// TypeScript types under node_modules, so the package must ship JavaScript.
import { spawnSync } from 'node:child_process';
import { cpSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';

rmSync('lib', { recursive: true, force: true });
const tsc = spawnSync('npx', ['tsc', '-p', 'tsconfig.cli.json'], { stdio: 'inherit' });
if (tsc.status !== 0) process.exit(tsc.status ?? 1);

// Files that are not TypeScript (a reporter in plain JavaScript, JSON data) are copied as they are.
function copyAssets(from, to) {
  for (const entry of readdirSync(from)) {
    const source = join(from, entry);
    if (statSync(source).isDirectory()) copyAssets(source, join(to, entry));
    else if (!entry.endsWith('.ts')) cpSync(source, join(to, entry));
  }
}
copyAssets('graders', 'lib/graders');
console.log('compiled the CLI and the graders to lib/');
