import { randomInt } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { SubmissionError, errorText } from './checks.ts';
import { type FileMap, type LoadedExercise, assembleWorkspace, graderModulePath, loadExercise } from './exercises.ts';
import { type Grader, type GradeOutcome, isGrader } from './grader.ts';
import { limits } from './limits.ts';
import { MAX_RUN_OUTPUT, type Report, reportSchema, truncateOutput } from './report.ts';

/**
 * The grading engine: the one entry point the CLI, the course server and the self-check use.
 * It assembles the workspace, runs the exercise's grader under the whole-grade limit, and turns
 * whatever happens into a valid report. It never throws for a bad submission.
 */

export interface GradeOptions {
  seed?: number;
  signal?: AbortSignal;
  /** Override the whole-grade wall clock (tests use a shorter one). */
  timeoutMs?: number;
  exercisesRoot?: string;
}

const graders = new Map<string, Promise<Grader>>();

/** Loads (once per process) the grader of an exercise, so warm resources are reused between grades. */
export function loadGrader(exercise: LoadedExercise, root?: string): Promise<Grader> {
  let grader = graders.get(exercise.dir);
  if (!grader) {
    grader = import(pathToFileURL(graderModulePath(exercise.id, root)).href).then((module: { default?: unknown }) => {
      if (!isGrader(module.default)) throw new Error(`exercises/${exercise.id}/grader.ts must default-export a grader`);
      if (module.default.kind !== exercise.manifest.kind) {
        throw new Error(`exercises/${exercise.id}/grader.ts is a ${module.default.kind} grader but exercise.yaml says kind: ${exercise.manifest.kind}`);
      }
      return module.default;
    });
    grader.catch(() => graders.delete(exercise.dir));
    graders.set(exercise.dir, grader);
  }
  return grader;
}

/** Releases every loaded grader's warm resources (database workers), so the process can exit. */
export async function disposeGraders(): Promise<void> {
  const loaded = [...graders.values()];
  graders.clear();
  await Promise.all(loaded.map(async (grader) => (await grader.catch(() => undefined))?.dispose?.()));
}

class GradeTimeout extends Error {}

/** Grades `submission` (path -> text) for `exerciseId` and returns the report. */
export async function gradeSubmission(exerciseId: string, submission: ReadonlyMap<string, string>, options: GradeOptions = {}): Promise<Report> {
  const started = performance.now();
  const seed = options.seed ?? randomInt(1, 2 ** 31 - 1);
  const exercise = loadExercise(exerciseId, options.exercisesRoot);
  let graderVersion = 'unknown';

  const finish = (partial: Omit<Report, 'version' | 'exercise' | 'durationMs' | 'graderVersion' | 'score' | 'maxScore'>): Report => {
    const report: Report = {
      version: 1,
      exercise: exerciseId,
      ...partial,
      score: partial.checks.reduce((sum, check) => sum + check.points, 0),
      maxScore: partial.checks.reduce((sum, check) => sum + check.maxPoints, 0),
      durationMs: Math.round(performance.now() - started),
      graderVersion,
    };
    const parsed = reportSchema.safeParse(report);
    if (parsed.success) return parsed.data;
    // A grader bug, not the learner's: say what was wrong, in a report that is valid itself.
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(report)'}: ${issue.message}`).join('; ');
    return {
      version: 1,
      exercise: exerciseId,
      status: 'error',
      reason: 'internal',
      message: `The grader produced something that is not a valid report: ${problems}`,
      checks: [],
      score: 0,
      maxScore: 0,
      durationMs: report.durationMs,
      graderVersion,
    };
  };

  const missing = exercise.manifest.files.required.filter((path) => !submission.has(path));
  if (missing.length > 0) {
    // `Schema.sql` or `Dockerfile.txt` for the file the brief names: say so, it is easy to miss.
    const nearMisses = missing.flatMap((path) => {
      const wanted = path.toLowerCase();
      const found = [...submission.keys()].find((candidate) => candidate.toLowerCase() === wanted || candidate.toLowerCase().startsWith(`${wanted}.`));
      return found ? [`there is \`${found}\`: rename it to \`${path}\` (the name must match exactly, capitals and extension included)`] : [];
    });
    return finish({
      status: 'error',
      reason: 'missing-file',
      message:
        `The submission has no ${missing.map((path) => `\`${path}\``).join(', ')}` +
        (nearMisses.length > 0 ? `; ${nearMisses.join('; ')}. Then check again.` : `. Create ${missing.length > 1 ? 'these files' : 'this file'} and check again.`),
      checks: [],
    });
  }

  let workspace: FileMap;
  let grader: Grader;
  try {
    workspace = assembleWorkspace(exercise, submission);
    grader = await loadGrader(exercise, options.exercisesRoot);
    graderVersion = `${grader.kind}@${grader.version}`;
  } catch (error) {
    return finish({ status: 'error', reason: 'internal', message: `The grader could not start: ${errorText(error)}`, checks: [] });
  }

  const controller = new AbortController();
  const onOuterAbort = () => controller.abort(options.signal?.reason);
  options.signal?.addEventListener('abort', onOuterAbort, { once: true });
  if (options.signal?.aborted) controller.abort(options.signal.reason);
  const timeoutMs = options.timeoutMs ?? limits.gradeMs;
  // A stopped grader needs a moment to kill its processes (SIGTERM, then SIGKILL after the grace
  // period) and its workers; it is stopped that much before the limit, so that the report still
  // comes within the limit and nothing of the learner's outlives it (a CLI exits right after).
  const cleanUpMs = Math.min(limits.killGraceMs * 3, Math.floor(timeoutMs / 2));
  let timer: NodeJS.Timeout | undefined;
  let timedOut = false;
  const deadline = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => {
      timedOut = true;
      controller.abort(new GradeTimeout('The grade ran out of time.'));
      resolve(undefined);
    }, timeoutMs - cleanUpMs);
  });
  let work: Promise<GradeOutcome> | undefined;
  const timeoutReport = async () => {
    const stopped = work ? work.then(() => undefined, () => undefined) : Promise.resolve();
    let wait: NodeJS.Timeout | undefined;
    await Promise.race([stopped, new Promise((resolve) => (wait = setTimeout(resolve, cleanUpMs)))]);
    clearTimeout(wait);
    return finish({ status: 'error', reason: 'timeout', message: `Grading took longer than ${timeoutMs / 1000} s and was stopped.`, checks: [] });
  };

  try {
    work = grader.grade({ exercise, files: workspace, seed, signal: controller.signal });
    const outcome = await Promise.race([work, deadline]);
    if (timedOut) return await timeoutReport();
    if (!outcome || !Array.isArray(outcome.checks)) throw new Error('it returned no list of checks');
    const ran = outcome.checks.some((check) => check.status !== 'skipped');
    const allPassed = outcome.checks.every((check) => check.status === 'pass');
    return finish({
      status: ran && allPassed ? 'pass' : 'fail',
      ...(ran ? {} : { message: 'Nothing could be checked, so nothing passed.' }),
      ...(outcome.summary ? { summary: outcome.summary } : {}),
      checks: outcome.checks,
      ...(outcome.usedSeed ? { seed } : {}),
      ...(outcome.diagram ? { diagram: outcome.diagram } : {}),
    });
  } catch (error) {
    // Once the limit has passed, what the stopped grader throws (a server it saw die, a cancelled
    // query) is a consequence of being stopped, not a verdict.
    if (timedOut) return await timeoutReport();
    if (error instanceof SubmissionError) {
      return finish({
        status: 'error',
        reason: error.reason,
        message: error.message,
        ...(error.details.location ? { location: error.details.location } : {}),
        ...(error.details.output ? { output: truncateOutput(error.details.output, MAX_RUN_OUTPUT) } : {}),
        checks: [],
      });
    }
    if (controller.signal.aborted && options.signal?.aborted) {
      return finish({ status: 'error', reason: 'internal', message: 'The grade was cancelled.', checks: [] });
    }
    return finish({ status: 'error', reason: 'internal', message: `The grader failed: ${errorText(error)}`, checks: [] });
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener('abort', onOuterAbort);
    controller.abort(new Error('grade finished')); // lets graders stop anything still running
  }
}

