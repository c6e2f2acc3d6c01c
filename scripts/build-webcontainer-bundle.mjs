// Builds the prebuilt file tree the WebContainer runner mounts in the browser, instead of running
// `npm install` there: the grading engine and the exercise graders compiled to JavaScript file by
// file (so every `import.meta.url` lookup works as in the published package), exactly the files of
// their npm dependencies that they load (found by esbuild's metafile, plus the WebAssembly and data
// files those load at run time), and each exercise's manifest and starter. A second, separate zip
// holds the packages a learner's server may import, fetched only when the request panel is used.
//
//   node scripts/build-webcontainer-bundle.mjs [--out DIR]
//
// DIR defaults to `$BW_OUT_DIR/client` (or dist/client): the files land in DIR/webcontainer/, next
// to the built site, as `index.json` plus content-hashed zips that can be cached forever.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import * as esbuild from 'esbuild';
import { zipSync } from 'fflate';
import { listExercises, packageRoot } from '../graders/core/exercises.ts';
import { packageFolder, shippedPackages } from '../graders/http-api/runtime.ts';

/**
 * Grader kinds whose checks run inside a WebContainer. Both run entirely in the grading process
 * (a parser; PGlite's WebAssembly in a worker thread). The other kinds start learner processes
 * under the sandbox of graders/core/sandbox.ts, whose limits rest on POSIX process groups, /proc
 * and `sh`; a WebContainer's emulated processes offer none of them, so a verdict there could not
 * be trusted to match the CLI's, and those exercises are checked by the course server or the CLI.
 */
export const webContainerKinds = ['dockerfile', 'sql-schema'];

const whyNot = {
  'http-api':
    'Checking an API starts your server and probes it under time and memory limits that only the course server or the command line can enforce.',
  'test-suite':
    'Checking tests runs them many times against planted bugs, in processes under time and memory limits that only the course server or the command line can enforce.',
};

/** Node syntax level of the compiled tree (a WebContainer's Node lags behind ours). */
export const target = 'node18';

/** Files of npm packages a running program never needs. */
const uselessFile = /(\.d\.[cm]?ts|\.map|\.md|\.markdown|\.tsbuildinfo|\.flow)$|(^|\/)(tests?|__tests__|docs?|examples?|benchmarks?|\.github)\//i;

const fixedTime = new Date('2020-01-01T00:00:00Z');

/** Every file of the grader tree, path (inside `grader/`) -> bytes, and the table of contents. */
export async function buildGraderTree(root = packageRoot) {
  const files = new Map();
  const version = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version;
  const exercises = listExercises(join(root, 'exercises'));
  const checked = exercises.filter((exercise) => webContainerKinds.includes(exercise.manifest.kind));

  // 1. Which of our modules and which npm files the service and the graders load.
  const entries = new Set([join(root, 'src/runtime/container/service-main.ts'), ...checked.map((exercise) => join(exercise.dir, 'grader.ts'))]);
  let inputs;
  for (;;) {
    const analysis = await esbuild.build({
      entryPoints: [...entries],
      absWorkingDir: root,
      bundle: true,
      write: false,
      metafile: true,
      platform: 'node',
      format: 'esm',
      target,
      // Resolve as Node does: no `module` condition, no `module` main field (esbuild adds both by default).
      conditions: [],
      mainFields: ['main'],
      outdir: join(root, '.webcontainer-analysis'),
      logLevel: 'silent',
    });
    inputs = Object.keys(analysis.metafile.inputs).map((path) => resolve(root, path));
    // Workers are started by URL (`siblingModule(import.meta.url, 'worker')`), which no bundler follows.
    const before = entries.size;
    for (const input of inputs) {
      if (input.includes(`${sep}node_modules${sep}`) || !input.endsWith('.ts')) continue;
      for (const match of readFileSync(input, 'utf8').matchAll(/siblingModule\(\s*import\.meta\.url\s*,\s*['"]([\w-]+)['"]\s*\)/g)) {
        entries.add(join(dirname(input), `${match[1]}.ts`));
      }
    }
    if (entries.size === before) break;
  }
  const ours = inputs.filter((path) => !path.includes(`${sep}node_modules${sep}`));
  const npm = inputs.filter((path) => path.includes(`${sep}node_modules${sep}`));

  // 2. Our TypeScript, compiled one file to one file: imports stay imports, `.ts` becomes `.js`.
  const compiled = await esbuild.build({
    entryPoints: ours,
    absWorkingDir: root,
    outbase: root,
    outdir: join(root, 'lib'),
    bundle: true,
    write: false,
    platform: 'node',
    format: 'esm',
    target,
    logLevel: 'silent',
    plugins: [
      {
        name: 'one-file-per-module',
        setup(build) {
          build.onResolve({ filter: /.*/ }, (args) => {
            if (args.kind === 'entry-point') return undefined;
            const path = args.path.startsWith('.') ? args.path.replace(/\.ts$/, '.js') : args.path;
            return { path, external: true };
          });
        },
      },
    ],
  });
  for (const output of compiled.outputFiles) files.set(relative(root, output.path).split(sep).join('/'), output.contents);

  // 3. The npm files those load, with the package.json files Node consults to resolve them, and
  //    the assets they fetch by URL at run time (PGlite's .wasm and .data).
  const addFile = (absolute) => {
    const key = relative(root, absolute).split(sep).join('/');
    if (key.startsWith('..')) throw new Error(`${absolute} is outside the package; the tree cannot hold it`);
    if (!files.has(key)) files.set(key, readFileSync(absolute));
  };
  for (const file of npm) {
    addFile(file);
    for (let dir = dirname(file); dir.includes(`${sep}node_modules${sep}`); dir = dirname(dir)) {
      const manifest = join(dir, 'package.json');
      if (existsSync(manifest)) addFile(manifest);
      if (dir.endsWith(`${sep}node_modules`)) break;
    }
    if (/\.[cm]?js$/.test(file)) {
      for (const match of readFileSync(file, 'utf8').matchAll(/new URL\(\s*["'`]([^"'`]+)["'`]\s*,\s*import\.meta\.url\s*\)/g)) {
        const asset = resolve(dirname(file), match[1]);
        if (existsSync(asset) && statSync(asset).isFile()) addFile(asset);
      }
    }
  }

  // 4. What the engine reads of each exercise: its manifest and its starter (read-only files come from there).
  /** @type {Record<string, import('../src/runtime/container/protocol.ts').TreeExercise>} */
  const index = {};
  for (const exercise of exercises) {
    const base = relative(root, exercise.dir).split(sep).join('/');
    files.set(`${base}/exercise.yaml`, readFileSync(join(exercise.dir, 'exercise.yaml')));
    for (const path of walk(join(exercise.dir, 'starter'))) files.set(`${base}/starter/${path}`, readFileSync(join(exercise.dir, 'starter', path)));
    const checks = webContainerKinds.includes(exercise.manifest.kind);
    index[exercise.id] = {
      kind: exercise.manifest.kind,
      checks,
      readonly: exercise.manifest.files.readonly,
      ...(checks ? {} : { why: whyNot[exercise.manifest.kind] ?? 'This kind of exercise cannot be checked in the browser.' }),
    };
  }
  // `packageRoot` is found by this name; `type: module` makes the compiled .js files ES modules.
  files.set('package.json', new TextEncoder().encode(JSON.stringify({ name: 'backend-workflow', version, private: true, type: 'module' }, null, 2)));
  return { files, exercises: index, version };
}

/** The packages a learner's server may import, with their dependencies, as `node_modules/...`. */
export function buildAppPackages() {
  const files = new Map();
  const placed = new Map(); // node_modules path -> real folder
  const place = (name, folder, parentPath) => {
    // Hoist to the top like npm does, unless another version already sits there.
    const top = `node_modules/${name}`;
    const path = !placed.has(top) || placed.get(top) === folder ? top : `${parentPath}/node_modules/${name}`;
    if (placed.get(path) === folder) return;
    placed.set(path, folder);
    for (const file of walk(folder)) {
      if (uselessFile.test(file) || file.startsWith('node_modules/')) continue;
      files.set(`${path}/${file}`, readFileSync(join(folder, file)));
    }
    const manifest = JSON.parse(readFileSync(join(folder, 'package.json'), 'utf8'));
    const dependencies = { ...manifest.dependencies, ...manifest.optionalDependencies };
    for (const dependency of Object.keys(dependencies)) {
      let dependencyFolder;
      try {
        dependencyFolder = packageFolder(dependency, folder);
      } catch {
        if (manifest.optionalDependencies?.[dependency]) continue;
        throw new Error(`${name} needs ${dependency}, which is not installed`);
      }
      place(dependency, dependencyFolder, path);
    }
  };
  for (const name of shippedPackages) place(name, packageFolder(name), '');
  return files;
}

/** Relative paths of the files under `dir`, sorted (nothing under node_modules or .git). */
function walk(dir, prefix = '') {
  if (!existsSync(dir)) return [];
  const paths = [];
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
    if (entry.name === '.git') continue;
    const path = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) paths.push(...walk(join(dir, entry.name), path));
    else if (entry.isFile()) paths.push(path);
  }
  return paths;
}

/** A zip whose bytes depend on the files only (sorted, fixed dates), so its hash names it. */
export function zipFiles(files) {
  const entries = {};
  for (const path of [...files.keys()].sort()) entries[path] = [files.get(path), { mtime: fixedTime }];
  return zipSync(entries, { level: 9 });
}

function hashed(stem, bytes) {
  return `${stem}-${createHash('sha256').update(bytes).digest('hex').slice(0, 12)}.zip`;
}

/** Builds both zips and index.json into `<outDir>/webcontainer/`; returns the index. */
export async function writeWebContainerBundle(outDir) {
  const started = performance.now();
  const grader = await buildGraderTree();
  const graderZip = zipFiles(grader.files);
  const appZip = zipFiles(buildAppPackages());
  const folder = join(outDir, 'webcontainer');
  rmSync(folder, { recursive: true, force: true });
  mkdirSync(folder, { recursive: true });
  const graderFile = hashed('grader', graderZip);
  const appFile = hashed('app-packages', appZip);
  writeFileSync(join(folder, graderFile), graderZip);
  writeFileSync(join(folder, appFile), appZip);
  const index = {
    version: 1,
    packageVersion: grader.version,
    grader: { file: graderFile, bytes: graderZip.length },
    app: { file: appFile, bytes: appZip.length },
    target,
    exercises: grader.exercises,
  };
  writeFileSync(join(folder, 'index.json'), JSON.stringify(index, null, 2));
  return { index, files: grader.files.size, ms: Math.round(performance.now() - started) };
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const { values } = parseArgs({ options: { out: { type: 'string' } } });
  const outDir = resolve(values.out ?? join(process.env.BW_OUT_DIR ?? 'dist', 'client'));
  const { index, files, ms } = await writeWebContainerBundle(outDir);
  const mb = (bytes) => `${(bytes / 1024 / 1024).toFixed(1)} MB`;
  const checked = Object.entries(index.exercises).filter(([, exercise]) => exercise.checks).map(([id]) => id);
  console.log(
    `WebContainer tree in ${relative(process.cwd(), join(outDir, 'webcontainer')) || '.'}: grader ${mb(index.grader.bytes)} (${files} files), ` +
      `learner packages ${mb(index.app.bytes)}; checks in the browser for ${checked.join(', ') || 'no exercise'} (${ms} ms)`,
  );
}
