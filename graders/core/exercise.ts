import { z } from 'zod';
import { stageIds } from './stages.ts';

/** The kinds of grader the course has; each lives in `graders/<kind>/`. */
export const graderKinds = ['sql-schema', 'http-api', 'test-suite', 'dockerfile'] as const;
export const graderKindSchema = z.enum(graderKinds).describe('Which grader kind judges this exercise');
export type GraderKind = z.infer<typeof graderKindSchema>;

const relativePathSchema = z
  .string()
  .min(1)
  .refine((path) => !path.startsWith('/') && !path.split('/').includes('..') && !path.includes('\\') && !path.includes('\0'), {
    message: 'must be a relative path inside the exercise, with forward slashes and no ".."',
  });

/**
 * `exercises/<id>/exercise.yaml`: everything the site, the CLI and the graders need to know
 * about an exercise, apart from its brief (`task.mdx`) and its files.
 */
export const exerciseSchema = z
  .object({
    title: z.string().min(3).describe('Title shown in lists and on the exercise page'),
    summary: z.string().min(10).describe('One or two sentences: what the learner builds and how it is judged'),
    stage: z.enum(stageIds).describe('The workflow stage this exercise belongs to'),
    kind: graderKindSchema,
    difficulty: z.enum(['beginner', 'intermediate', 'advanced']).describe('How hard the exercise is'),
    minutes: z.number().int().positive().max(240).describe('Typical time to finish, in minutes'),
    order: z.number().int().positive().default(1).describe('Position among the exercises of its stage'),
    files: z
      .object({
        editable: z.array(relativePathSchema).min(1).describe('Files the learner writes; they come from the submission'),
        readonly: z
          .array(relativePathSchema)
          .default([])
          .describe('Files given to the learner that the grader always takes from the exercise, never from the submission'),
        required: z
          .array(relativePathSchema)
          .default([])
          .describe('Editable files whose absence makes the grade `error` with reason `missing-file`'),
        extra: z
          .array(z.string().min(1))
          .default([])
          .describe('Glob patterns of further files a learner may add (for example `src/**/*.js`)'),
      })
      .strict()
      .describe('Which files make up a submission'),
    open: z.string().optional().describe('The file the editor opens first; defaults to the first editable file'),
    tags: z.array(z.string().min(1)).default([]).describe('Topics, for search and filtering'),
  })
  .strict()
  .superRefine((exercise, ctx) => {
    const editable = new Set(exercise.files.editable);
    exercise.files.required.forEach((path, index) => {
      if (!editable.has(path)) {
        ctx.addIssue({ code: 'custom', path: ['files', 'required', index], message: `"${path}" must also be listed in files.editable` });
      }
    });
    exercise.files.readonly.forEach((path, index) => {
      if (editable.has(path)) {
        ctx.addIssue({ code: 'custom', path: ['files', 'readonly', index], message: `"${path}" cannot be both editable and read-only` });
      }
    });
    if (exercise.open && !editable.has(exercise.open) && !exercise.files.readonly.includes(exercise.open)) {
      ctx.addIssue({ code: 'custom', path: ['open'], message: `"${exercise.open}" is not one of the exercise's files` });
    }
  });

export type ExerciseManifest = z.infer<typeof exerciseSchema>;

/** Exercise ids are folder names: lowercase words joined by hyphens. */
export const exerciseIdSchema = z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, 'an exercise id is lowercase words joined by hyphens');
