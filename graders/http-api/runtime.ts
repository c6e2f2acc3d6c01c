import { createHash, randomBytes } from 'node:crypto';
import { existsSync, realpathSync } from 'node:fs';
import { lstat, mkdir, mkdtemp, readdir, readlink, realpath, rename, rm, stat, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The tree a learner's server resolves packages from. Nothing is installed at grade time: the
 * course ships its own copies of the packages an API exercise may use, and each grade's
 * submission is written under a folder whose `node_modules` holds only symlinks to them:
 *
 *   <tmp>/backend-workflow-api-runtime-<uid>-<hash>/
 *     node_modules/express -> <this package's express>      (and hono, @hono/node-server, fastify)
 *     run-XXXXXX/package.json, src/server.js                  (one folder per grade, removed after)
 *
 * Node walks up from `run-XXXXXX/src/` through `node_modules` folders, so a bare import finds
 * exactly these packages and nothing else (nothing sits in `<tmp>/node_modules` or `/node_modules`);
 * the packages' own dependencies resolve from their real location because Node follows symlinks.
 * The folder name carries the user id and a hash of the package locations so that two checkouts
 * or two users never share (or hijack) one tree.
 */

/** What a graded server may import besides Node's built-in modules. */
export const shippedPackages = ['express', 'hono', '@hono/node-server', 'fastify'] as const;

/** Run folders older than this are left over from a process that died mid-grade. */
const staleRunMs = 60 * 60 * 1000;

/** Finds an installed package the way Node would from this module: up through `node_modules` folders. */
export function packageFolder(name: string, from = dirname(fileURLToPath(import.meta.url))): string {
  let dir = from;
  for (;;) {
    const candidate = join(dir, 'node_modules', name);
    if (existsSync(join(candidate, 'package.json'))) return realpathSync(candidate);
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`The package "${name}" is not installed beside the grader (looked up from ${from}).`);
    dir = parent;
  }
}

let prepared: Promise<string> | undefined;

/**
 * The runtime folder, created (or repaired) once per process, and again if something (a cleaner
 * of /tmp) removed it while a long-lived course server was running.
 */
export async function apiRuntime(): Promise<string> {
  if (prepared) {
    const root = await prepared.catch(() => undefined);
    if (root && shippedPackages.every((name) => existsSync(join(root, 'node_modules', name)))) return root;
    prepared = undefined;
  }
  prepared = prepare();
  prepared.catch(() => (prepared = undefined));
  return prepared;
}

async function prepare(): Promise<string> {
  const targets = shippedPackages.map((name) => [name, packageFolder(name)] as const);
  const uid = process.getuid?.() ?? 0;
  const hash = createHash('sha256')
    .update(targets.map(([, target]) => target).join('\n'))
    .digest('hex')
    .slice(0, 10);
  const root = join(await realpath(tmpdir()), `backend-workflow-api-runtime-${uid}-${hash}`);
  await mkdir(root, { recursive: true, mode: 0o700 });
  const info = await lstat(root);
  if (!info.isDirectory() || (process.getuid && info.uid !== uid)) {
    throw new Error(`${root} exists but is not a folder owned by this user; remove it and grade again.`);
  }
  for (const [name, target] of targets) {
    const link = join(root, 'node_modules', name);
    await mkdir(dirname(link), { recursive: true });
    const current = await readlink(link).catch(() => undefined);
    if (current === target) continue;
    // Replace atomically: another grader process may be reading the tree at this moment.
    const temporary = `${link}.${process.pid}.${randomBytes(4).toString('hex')}`;
    await symlink(target, temporary, 'dir');
    if (current === undefined && existsSync(link)) await rm(link, { recursive: true, force: true });
    await rename(temporary, link);
  }
  await sweepStaleRuns(root);
  return root;
}

async function sweepStaleRuns(root: string): Promise<void> {
  const now = Date.now();
  for (const name of await readdir(root)) {
    if (!name.startsWith('run-')) continue;
    const dir = join(root, name);
    const info = await stat(dir).catch(() => undefined);
    if (info && now - info.mtimeMs > staleRunMs) await rm(dir, { recursive: true, force: true }).catch(() => undefined);
  }
}

/** Writes a workspace into a fresh run folder of the runtime and returns its path. */
export async function writeRun(files: ReadonlyMap<string, string>): Promise<string> {
  const root = await apiRuntime();
  const dir = await mkdtemp(join(root, 'run-'));
  try {
    for (const [path, text] of files) {
      const target = resolve(dir, path);
      // The engine only passes listed paths, but a path must never leave its run folder.
      if (relative(dir, target).startsWith('..') || !target.startsWith(dir + sep)) throw new Error(`refused to write ${path} outside the run folder`);
      await mkdir(dirname(target), { recursive: true });
      await writeFile(target, text);
    }
  } catch (error) {
    await removeRun(dir);
    throw error;
  }
  return dir;
}

export async function removeRun(dir: string): Promise<void> {
  await rm(dir, { recursive: true, force: true, maxRetries: 3, retryDelay: 20 });
}
