#!/usr/bin/env node
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { writeAssignment } from './cli/assignment.ts';
import { FolderNotEmptyError, assertWritableFolder } from './cli/folders.ts';
import { formatReport, styleFor } from './cli/format-human.ts';
import { annotations, classroomPoints, jobSummary } from './cli/github.ts';
import { toJunit } from './cli/junit.ts';
import { ContentError } from './core/friendly-errors.ts';
import { disposeGraders, gradeSubmission } from './core/grade.ts';
import { type LoadedExercise, UnknownExerciseError, listExercises, loadExercise, packageRoot, readFolder, readStarter } from './core/exercises.ts';
import { reportJsonSchema } from './core/report.ts';
import { stages } from './core/stages.ts';

/** `backend-workflow`: list, init, grade and hand out exercises from the command line. */

export const exitCodes = { pass: 0, fail: 1, submissionError: 2, usage: 3, interrupted: 130 } as const;

const version: string = JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')).version;

export const helpText = `backend-workflow ${version}: grade Backend Workflow exercises

Usage:
  backend-workflow list                              exercises by stage, with kind and minutes
  backend-workflow init <exercise> [dir] [--force]   copy the starter files into dir (default: <exercise>)
  backend-workflow grade <exercise> [dir]            grade the files in dir (default: .)
      --json            print the report (JSON) alone on stdout
      --junit FILE      also write JUnit XML to FILE
      --github          GitHub Actions: annotations, job summary, "Points X/Y" (GitHub Classroom)
      --seed N          replay a run that used random data
  backend-workflow assignment <exercise> --out DIR [--package SPEC] [--force]
                                                     a repository for a bootcamp assignment, graded by CI
                                                     SPEC: what CI installs (default backend-workflow@${version};
                                                     a tarball path/URL or git URL also works)
  backend-workflow report-schema                     print the report format as JSON Schema
  backend-workflow --help | --version

Exit codes of grade:
  0  pass: every check passed
  1  fail: the submission ran and some check failed
  2  error caused by the submission: syntax, missing file, crash, timeout, memory or output limit
  3  usage error, or an internal fault of the grader
  130  stopped with Ctrl-C (or SIGTERM) before it finished; no process of the submission is left

Colour is used on a terminal only; set NO_COLOR=1 to turn it off.`;

class UsageError extends Error {}

const maxSeed = 2 ** 31 - 1;

interface Io {
  out(text: string): void;
  err(text: string): void;
  stdout: { isTTY?: boolean };
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** Aborted on Ctrl-C (SIGINT) or SIGTERM: the grade stops and kills what it started. */
  signal?: AbortSignal;
}

function exerciseOrUsage(id: string | undefined): LoadedExercise {
  if (!id) throw new UsageError('Name an exercise. `backend-workflow list` shows them.');
  try {
    return loadExercise(id);
  } catch (error) {
    if (error instanceof UnknownExerciseError) throw new UsageError(error.message);
    throw error;
  }
}

function list(io: Io): number {
  const exercises = listExercises();
  for (const stage of stages) {
    const ofStage = exercises.filter((exercise) => exercise.manifest.stage === stage.id);
    if (ofStage.length === 0) continue;
    io.out(`${stage.title}`);
    for (const { id, manifest } of ofStage) {
      io.out(`  ${id.padEnd(20)} ${manifest.kind.padEnd(12)} ${String(manifest.minutes).padStart(3)} min  ${manifest.title}`);
    }
  }
  return exitCodes.pass;
}

function init(io: Io, args: string[], force: boolean): number {
  const exercise = exerciseOrUsage(args[0]);
  const target = resolve(io.cwd, args[1] ?? exercise.id);
  assertWritableFolder(target, force);
  for (const [path, text] of readStarter(exercise)) {
    const full = join(target, path);
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, text);
  }
  io.out(`Wrote the starter of "${exercise.manifest.title}" to ${target}`);
  io.out(`Your files: ${exercise.manifest.files.editable.join(', ')}`);
  io.out(`Grade them with: backend-workflow grade ${exercise.id}${args[1] ? ` ${args[1]}` : ` ${exercise.id}`}`);
  return exitCodes.pass;
}

async function grade(io: Io, args: string[], flags: { json: boolean; junit?: string; github: boolean; seed?: string }): Promise<number> {
  const exercise = exerciseOrUsage(args[0]);
  const dir = resolve(io.cwd, args[1] ?? '.');
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UsageError(`${dir} is not a folder.`);
  let seed: number | undefined;
  if (flags.seed !== undefined) {
    seed = Number(flags.seed);
    // The range of the seeds a report prints; a larger one would not fit the report's schema.
    if (!Number.isInteger(seed) || seed <= 0 || seed > maxSeed) {
      throw new UsageError(`--seed takes a whole number from 1 to ${maxSeed}, as a report prints it, not "${flags.seed}".`);
    }
  }
  let submission;
  try {
    submission = readFolder(dir);
  } catch (error) {
    // Too many files (a node_modules in the wrong place), or a file that cannot be read.
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const report = await gradeSubmission(exercise.id, submission, { ...(seed === undefined ? {} : { seed }), ...(io.signal ? { signal: io.signal } : {}) });
  if (io.signal?.aborted) {
    // Not a verdict: the learner's processes are stopped, and nothing is reported or written.
    io.err('backend-workflow: stopped before the grade finished.');
    return exitCodes.interrupted;
  }
  const title = exercise.manifest.title;
  if (flags.json) io.out(JSON.stringify(report, null, 2));
  else io.out(formatReport(report, title, styleFor(io.stdout, io.env)));
  if (flags.junit) {
    const junitFile = resolve(io.cwd, flags.junit);
    mkdirSync(dirname(junitFile), { recursive: true });
    writeFileSync(junitFile, toJunit(report, title));
  }
  if (flags.github) {
    // Annotations name files from the repository's root, which is the workspace of the job.
    const fromRoot = relative(resolve(io.cwd, io.env.GITHUB_WORKSPACE ?? '.'), dir).split(sep).join('/');
    const prefix = fromRoot === '' ? '' : `${fromRoot}/`;
    for (const line of annotations(report, prefix)) io.err(line);
    const summaryFile = io.env.GITHUB_STEP_SUMMARY;
    if (summaryFile) writeFileSync(summaryFile, jobSummary(report, title), { flag: 'a' });
    // Classroom reads this from the log; keep it off stdout in --json mode.
    (flags.json ? io.err : io.out)(classroomPoints(report));
  }
  if (report.status === 'pass') return exitCodes.pass;
  if (report.status === 'fail') return exitCodes.fail;
  return report.reason === 'internal' ? exitCodes.usage : exitCodes.submissionError;
}

function assignment(io: Io, args: string[], flags: { out?: string; package?: string; force: boolean }): number {
  const exercise = exerciseOrUsage(args[0]);
  if (!flags.out) throw new UsageError('Say where to write the assignment: --out DIR');
  const packageSpec = flags.package ?? `backend-workflow@${version}`;
  const written = writeAssignment({ exercise, outDir: resolve(io.cwd, flags.out), packageSpec, force: flags.force });
  io.out(`Wrote the assignment "${exercise.manifest.title}" to ${resolve(io.cwd, flags.out)} (${written.length} files).`);
  io.out(`CI installs ${packageSpec} and grades every push: push the folder to a new repository (or a GitHub Classroom template).`);
  return exitCodes.pass;
}

/** Runs the CLI; returns the exit code. Exported for tests. */
export async function main(argv: string[], io: Io): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        help: { type: 'boolean', short: 'h', default: false },
        version: { type: 'boolean', short: 'v', default: false },
        json: { type: 'boolean', default: false },
        junit: { type: 'string' },
        github: { type: 'boolean', default: false },
        seed: { type: 'string' },
        force: { type: 'boolean', short: 'f', default: false },
        out: { type: 'string', short: 'o' },
        package: { type: 'string' },
      },
    });
  } catch (error) {
    io.err(`${error instanceof Error ? error.message : String(error)}\n\n${helpText}`);
    return exitCodes.usage;
  }
  const { values, positionals } = parsed;
  const [command, ...rest] = positionals;
  try {
    if (values.version) {
      io.out(version);
      return exitCodes.pass;
    }
    if (values.help || !command || command === 'help') {
      (command || values.help ? io.out : io.err)(helpText);
      return command || values.help ? exitCodes.pass : exitCodes.usage;
    }
    switch (command) {
      case 'list':
        return list(io);
      case 'init':
        return init(io, rest, values.force);
      case 'grade':
        return await grade(io, rest, { json: values.json, github: values.github, ...(values.junit ? { junit: values.junit } : {}), ...(values.seed ? { seed: values.seed } : {}) });
      case 'assignment':
        return assignment(io, rest, { force: values.force, ...(values.out ? { out: values.out } : {}), ...(values.package ? { package: values.package } : {}) });
      case 'report-schema':
        io.out(JSON.stringify(reportJsonSchema(), null, 2));
        return exitCodes.pass;
      default:
        throw new UsageError(`Unknown command "${command}".`);
    }
  } catch (error) {
    if (error instanceof UsageError || error instanceof FolderNotEmptyError) {
      io.err(`backend-workflow: ${error.message}\nRun \`backend-workflow --help\` for usage.`);
      return exitCodes.usage;
    }
    if (error instanceof ContentError) {
      io.err(`backend-workflow: the course content is broken: ${error.message}`);
      return exitCodes.usage;
    }
    io.err(`backend-workflow: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    return exitCodes.usage;
  } finally {
    await disposeGraders();
  }
}

// Run when started as a program (`node graders/cli.ts`, or through bin/), not when imported by tests.
const startedAsProgram = process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (startedAsProgram || process.env.BACKEND_WORKFLOW_BIN === '1') {
  // Learner processes run in process groups of their own, which a Ctrl-C in the terminal does not
  // reach: stop the grade, so it kills them, rather than die and leave them running. A second
  // Ctrl-C exits at once.
  const interrupt = new AbortController();
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => interrupt.abort(new Error(`Stopped by ${signal}.`)));
  const code = await main(process.argv.slice(2), {
    out: (text) => process.stdout.write(text + '\n'),
    err: (text) => process.stderr.write(text + '\n'),
    stdout: process.stdout,
    env: process.env,
    cwd: process.cwd(),
    signal: interrupt.signal,
  });
  // Wait for stdout to drain (a report piped into a file), then exit even if a learner process misbehaved.
  process.stdout.write('', () => process.exit(code));
}
