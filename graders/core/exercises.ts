import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import { dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import picomatch from 'picomatch';
import { parse as parseYaml } from 'yaml';
import { type ExerciseManifest, exerciseIdSchema, exerciseSchema } from './exercise.ts';
import { ContentError, parseContent } from './friendly-errors.ts';

/** A text file of a submission or an exercise: path (relative, forward slashes) -> contents. */
export type FileMap = Map<string, string>;

export interface LoadedExercise {
  id: string;
  manifest: ExerciseManifest;
  /** Absolute path of `exercises/<id>/`. */
  dir: string;
}

/** Limits on what a submission folder may hold, so a stray `node_modules` never reaches a grader. */
export const submissionLimits = { maxFiles: 200, maxFileBytes: 512 * 1024 } as const;

/** Never part of a submission, wherever they are. */
const ignoredFolders = new Set(['node_modules', '.git']);
/** Build output of this repository, skipped only at the top: a learner's `src/lib/` is their code. */
const ignoredTopFolders = new Set(['.astro', 'dist', 'lib']);

/** The package's root folder: where `package.json`, `exercises/` and `lessons/` live. */
export const packageRoot: string = (() => {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest) && JSON.parse(readFileSync(manifest, 'utf8')).name === 'backend-workflow') return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error('Cannot find the backend-workflow package root above ' + fileURLToPath(import.meta.url));
    dir = parent;
  }
})();

export const exercisesRoot = join(packageRoot, 'exercises');

/** True when the engine runs from TypeScript sources (development) rather than compiled `lib/`. */
const runningFromSources = import.meta.url.endsWith('.ts');

/**
 * The module of an exercise's grader. From sources it is `exercises/<id>/grader.ts`; in the
 * published package, Node does not strip types under node_modules, so it is compiled to `lib/`.
 */
export function graderModulePath(id: string, root = exercisesRoot): string {
  return runningFromSources ? join(root, id, 'grader.ts') : join(packageRoot, 'lib', 'exercises', id, 'grader.js');
}

/**
 * Resolves a module that sits beside the calling module (a worker, a reporter), with the
 * caller's own extension, so the same code works from `.ts` sources and compiled `.js`.
 */
export function siblingModule(callerUrl: string, name: string): URL {
  const extension = callerUrl.endsWith('.ts') ? '.ts' : '.js';
  return new URL(`./${name}${extension}`, callerUrl);
}

export function listExerciseIds(root = exercisesRoot): string[] {
  if (!existsSync(root)) return [];
  return readdirSync(root)
    .filter((name) => existsSync(join(root, name, 'exercise.yaml')))
    .sort();
}

export class UnknownExerciseError extends Error {
  readonly id: string;
  constructor(id: string, known: string[]) {
    super(`There is no exercise "${id}". Exercises: ${known.join(', ') || '(none)'}.`);
    this.id = id;
    this.name = 'UnknownExerciseError';
  }
}

/** Reads and validates `exercises/<id>/exercise.yaml`. Errors name the file and the field. */
export function loadExercise(id: string, root = exercisesRoot): LoadedExercise {
  if (!exerciseIdSchema.safeParse(id).success || !existsSync(join(root, id, 'exercise.yaml'))) {
    throw new UnknownExerciseError(id, listExerciseIds(root));
  }
  const dir = join(root, id);
  const file = join(dir, 'exercise.yaml');
  return { id, dir, manifest: parseManifest(readFileSync(file, 'utf8'), relative(process.cwd(), file) || file) };
}

/** Parses the text of an exercise.yaml; `file` names it in errors. */
export function parseManifest(text: string, file: string): ExerciseManifest {
  let data: unknown;
  try {
    data = parseYaml(text, { prettyErrors: true });
  } catch (error) {
    throw new ContentError(file, [`not valid YAML: ${error instanceof Error ? error.message : String(error)}`]);
  }
  return parseContent(exerciseSchema, data, file);
}

export function listExercises(root = exercisesRoot): LoadedExercise[] {
  return listExerciseIds(root).map((id) => loadExercise(id, root));
}

/** Reads every text file under `dir` into a FileMap (skipping node_modules, .git and the build output at its top). */
export function readFolder(dir: string): FileMap {
  const files: FileMap = new Map();
  if (!existsSync(dir)) return files;
  const walk = (current: string) => {
    for (const entry of readdirSync(current, { withFileTypes: true })) {
      const full = join(current, entry.name);
      if (entry.isDirectory()) {
        if (!ignoredFolders.has(entry.name) && !(current === dir && ignoredTopFolders.has(entry.name))) walk(full);
      } else if (entry.isFile()) {
        if (files.size >= submissionLimits.maxFiles) {
          throw new Error(`${dir} holds more than ${submissionLimits.maxFiles} files; is a node_modules folder in the wrong place?`);
        }
        if (statSync(full).size > submissionLimits.maxFileBytes) continue;
        files.set(relative(dir, full).split(sep).join('/'), readFileSync(full, 'utf8'));
      }
    }
  };
  walk(dir);
  return files;
}

export const readStarter = (exercise: LoadedExercise): FileMap => readFolder(join(exercise.dir, 'starter'));
export const readSolution = (exercise: LoadedExercise): FileMap => readFolder(join(exercise.dir, 'solution'));

/** Whether a submitted path is one the learner may provide (editable, or matching `files.extra`). */
export function isSubmittable(manifest: ExerciseManifest, path: string): boolean {
  if (manifest.files.editable.includes(path)) return true;
  if (manifest.files.readonly.includes(path)) return false;
  return manifest.files.extra.some((pattern) => picomatch.isMatch(path, pattern, { dot: true }));
}

/**
 * The files a grader sees: read-only files always from the exercise's starter (never from the
 * submission), then the submittable files of the submission. Anything else is ignored.
 */
export function assembleWorkspace(exercise: LoadedExercise, submission: ReadonlyMap<string, string>): FileMap {
  const workspace: FileMap = new Map();
  const starter = readStarter(exercise);
  for (const path of exercise.manifest.files.readonly) {
    const text = starter.get(path);
    if (text === undefined) throw new ContentError(join(exercise.dir, 'starter', path), ['a read-only file listed in exercise.yaml is missing from starter/']);
    workspace.set(path, text);
  }
  for (const [path, text] of submission) {
    if (isSubmittable(exercise.manifest, path)) workspace.set(path, text);
  }
  return workspace;
}
