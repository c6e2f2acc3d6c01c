import { z } from 'zod';

/**
 * The one report format every grader produces, wherever it runs (browser, course server, CLI).
 * Modelled on Exercism's results v3, with points and hints added.
 */

export const runStatusSchema = z
  .enum(['pass', 'fail', 'error'])
  .describe('pass: every check passed; fail: it ran and some check failed (or nothing ran); error: the submission could not be judged');

export const errorReasonSchema = z
  .enum(['syntax', 'missing-file', 'crash', 'timeout', 'out-of-memory', 'output-limit', 'internal'])
  .describe('Why a submission could not be judged. `internal` means the grader itself failed, not the learner.');

export const checkStatusSchema = z.enum(['pass', 'fail', 'error', 'timeout', 'skipped']);

export const locationSchema = z
  .object({
    file: z.string().describe('Path of the file inside the submission, for example `schema.sql`'),
    line: z.number().int().positive().optional().describe('1-based line number'),
    column: z.number().int().positive().optional().describe('1-based column number'),
  })
  .strict();

/** Per-check output is cut to this many characters, as Exercism does. */
export const MAX_CHECK_OUTPUT = 500;
/** Output that explains a run-level error (a crash, a server that never listened). */
export const MAX_RUN_OUTPUT = 2000;

export const checkResultSchema = z
  .object({
    id: z.string().min(1).describe('Stable id of the check, unique within the exercise'),
    title: z.string().min(1).describe('What the check verifies, in words a learner understands'),
    status: checkStatusSchema,
    points: z.number().nonnegative().describe('Points earned'),
    maxPoints: z.number().nonnegative().describe('Points available'),
    message: z.string().optional().describe('What was observed, when the check did not pass'),
    hint: z.string().optional().describe('A nudge that teaches without giving the answer away'),
    output: z.string().max(MAX_CHECK_OUTPUT).optional().describe('Relevant output, at most 500 characters'),
    location: locationSchema.optional(),
  })
  .strict();

export const erColumnSchema = z
  .object({
    name: z.string(),
    type: z.string(),
    nullable: z.boolean(),
    primaryKey: z.boolean(),
    unique: z.boolean(),
  })
  .strict();

/** The learner's schema as read from the database catalog, for the entity-relationship diagram. */
export const erDiagramSchema = z
  .object({
    tables: z.array(z.object({ name: z.string(), columns: z.array(erColumnSchema) }).strict()),
    relations: z.array(
      z
        .object({
          fromTable: z.string(),
          fromColumns: z.array(z.string()),
          toTable: z.string(),
          toColumns: z.array(z.string()),
          onDelete: z.string(),
        })
        .strict(),
    ),
  })
  .strict();

export const reportSchema = z
  .object({
    version: z.literal(1).describe('Version of this report format'),
    exercise: z.string().describe('Id of the graded exercise'),
    status: runStatusSchema,
    reason: errorReasonSchema.optional().describe('Set when status is `error`'),
    message: z.string().optional().describe('A sentence for the learner about the run as a whole'),
    location: locationSchema.optional().describe('Where the error is, for `syntax` errors'),
    output: z.string().max(MAX_RUN_OUTPUT).optional().describe('What the program printed, when that explains an error'),
    summary: z.string().optional().describe('One line such as "caught 9 of 11 bugs"'),
    checks: z.array(checkResultSchema),
    score: z.number().nonnegative(),
    maxScore: z.number().nonnegative(),
    durationMs: z.number().nonnegative(),
    graderVersion: z.string().describe('Version of the grader kind that produced the report'),
    seed: z.number().int().optional().describe('Random seed used by the grader; pass it again to replay the run'),
    diagram: erDiagramSchema.optional().describe('Entity-relationship diagram of a submitted database schema'),
  })
  .strict()
  .superRefine((report, ctx) => {
    if (report.status === 'error' && !report.reason) {
      ctx.addIssue({ code: 'custom', path: ['reason'], message: 'an error report needs a reason' });
    }
    if (report.status !== 'error' && report.reason) {
      ctx.addIssue({ code: 'custom', path: ['reason'], message: 'only an error report has a reason' });
    }
  });

export type RunStatus = z.infer<typeof runStatusSchema>;
export type ErrorReason = z.infer<typeof errorReasonSchema>;
export type CheckStatus = z.infer<typeof checkStatusSchema>;
export type SourceLocation = z.infer<typeof locationSchema>;
export type CheckResult = z.infer<typeof checkResultSchema>;
export type ErDiagram = z.infer<typeof erDiagramSchema>;
export type Report = z.infer<typeof reportSchema>;

/** The report format as JSON Schema, for tools outside TypeScript. */
export function reportJsonSchema(): unknown {
  return z.toJSONSchema(reportSchema, { io: 'output', unrepresentable: 'any' });
}

/** Cuts text to the per-check limit, saying that it was cut. */
export function truncateOutput(text: string, limit = MAX_CHECK_OUTPUT): string {
  if (text.length <= limit) return text;
  const suffix = '… (cut)';
  return text.slice(0, limit - suffix.length) + suffix;
}

/** The verdict a golden fixture pins: never messages or durations. */
export const expectedVerdictSchema = z
  .object({
    status: runStatusSchema,
    reason: errorReasonSchema.optional(),
    checks: z.record(z.string(), checkStatusSchema).describe('Check id -> expected status; every check of the report must be listed'),
  })
  .strict();
export type ExpectedVerdict = z.infer<typeof expectedVerdictSchema>;

export function verdictOf(report: Report): ExpectedVerdict {
  return {
    status: report.status,
    ...(report.reason ? { reason: report.reason } : {}),
    checks: Object.fromEntries(report.checks.map((check) => [check.id, check.status])),
  };
}
