import { DockerfileParser } from 'dockerfile-ast';
import { validate } from 'dockerfile-utils';
import { type CheckSpec, SubmissionError, runChecks, skipped } from '../core/checks.ts';
import type { Grader, GradeInput } from '../core/grader.ts';
import { DockerignoreSyntaxError } from './ignore.ts';
import { type DockerfileModel, buildContext, buildModel, readApp, virtualContextFiles } from './model.ts';
import type { Judge } from './rules.ts';

export * from './rules.ts';
export type { DockerfileModel } from './model.ts';

/**
 * The `dockerfile` grader kind: the learner's Dockerfile and .dockerignore, judged rule by rule
 * against the exercise's build context, without a Docker engine.
 *
 *   export default dockerfileGrader({
 *     app: { port: 3000, healthPath: '/health' },
 *     rules: [rule('The container runs as a non-root user', nonRootUser, { id: 'non-root', hint: '…' })],
 *   });
 */

export const dockerfileKindVersion = '1.0.0';

export interface DockerfileGraderOptions {
  /** What the app in the build context does; its entry file is read from `package.json`'s start script unless given. */
  app: { port: number; portVariable?: string; healthPath: string; entry?: string };
  rules: CheckSpec<DockerfileModel>[];
  /** File names, when an exercise uses others. */
  dockerfile?: string;
  dockerignore?: string;
}

export interface RuleOptions {
  id: string;
  /** Points for the rule; 1 unless given. */
  points?: number;
  /** Why the rule exists, shown when it fails. Teaches without giving the answer away. */
  hint: string;
}

/** One rubric line: a title a learner understands, the judge that decides it, points and a hint. */
export function rule(title: string, judge: Judge, options: RuleOptions): CheckSpec<DockerfileModel> {
  return { id: options.id, title, points: options.points ?? 1, hint: options.hint, run: judge };
}

/** Docker's own parse errors (dockerfile-utils' errors, not its style warnings). */
const errorSeverity = 1;

/** Throws `SubmissionError('syntax')` when Docker would refuse the Dockerfile before building anything. */
export function assertParses(text: string, file = 'Dockerfile'): void {
  const errors = validate(text)
    .filter((diagnostic) => diagnostic.severity === errorSeverity)
    .sort((a, b) => a.range.start.line - b.range.start.line || a.range.start.character - b.range.start.character);
  const first = errors[0];
  if (!first) return;
  const line = first.range.start.line + 1;
  const column = first.range.start.character + 1;
  throw new SubmissionError('syntax', `${file} line ${line}: ${first.message}. Docker would stop here before building anything.`, {
    location: { file, line, column },
    ...(errors.length > 1 ? { output: errors.map((error) => `line ${error.range.start.line + 1}: ${error.message}`).join('\n') } : {}),
  });
}

/** Parses and plays the Dockerfile of a workspace. Throws `SubmissionError` for what Docker would refuse. */
export function readBuild(files: ReadonlyMap<string, string>, options: Pick<DockerfileGraderOptions, 'app' | 'dockerfile' | 'dockerignore'>): DockerfileModel | null {
  const file = options.dockerfile ?? 'Dockerfile';
  const ignoreFile = options.dockerignore ?? '.dockerignore';
  const text = files.get(file);
  if (text === undefined) throw new SubmissionError('missing-file', `The submission has no \`${file}\`. Create it and check again.`);
  const ast = DockerfileParser.parse(text);
  // Only comments and blank lines: present but empty, which is a fail with nothing run.
  if (ast.getInstructions().length === 0) return null;
  assertParses(text, file);
  const app = readApp(files, options.app);
  const contextFiles = [...files.keys()];
  let context;
  try {
    context = buildContext(contextFiles, virtualContextFiles(app), files.get(ignoreFile) ?? null);
  } catch (error) {
    if (error instanceof DockerignoreSyntaxError) {
      throw new SubmissionError('syntax', `${ignoreFile}: ${error.message}`, { location: { file: ignoreFile, line: error.line } });
    }
    throw error;
  }
  try {
    return buildModel(text, ast, { file, app, context });
  } catch (error) {
    // A COPY source or --exclude pattern that Docker cannot compile fails the build at that line.
    if (error instanceof DockerignoreSyntaxError) {
      throw new SubmissionError('syntax', `${file}: ${error.message}`, { location: { file, ...(error.line > 0 ? { line: error.line } : {}) } });
    }
    throw error;
  }
}

/** The factory every `exercises/<id>/grader.ts` of kind `dockerfile` uses. */
export function dockerfileGrader(options: DockerfileGraderOptions): Grader {
  const specs = options.rules;
  return {
    kind: 'dockerfile',
    version: dockerfileKindVersion,
    async grade(input: GradeInput) {
      const model = readBuild(input.files, options);
      if (!model) {
        const why = `The ${options.dockerfile ?? 'Dockerfile'} has no instructions yet, so there is nothing to judge.`;
        return { checks: specs.map((spec) => skipped(spec, why)), summary: why };
      }
      const checks = await runChecks(specs, model, input.signal);
      const met = checks.filter((check) => check.status === 'pass').length;
      return { checks, summary: `${met} of ${checks.length} Dockerfile rules met` };
    },
  };
}
