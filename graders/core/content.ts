import { z } from 'zod';
import { exerciseIdSchema } from './exercise.ts';

/**
 * Schemas of the course text: lesson frontmatter and quiz banks. They live here, not in `src/`,
 * so the CLI and the content tests validate exactly what the site builds from.
 */

/** Frontmatter of `lessons/NN-<stage>/NN-<slug>.mdx`. The stage and order come from the path. */
export const lessonSchema = z
  .object({
    title: z.string().min(3).describe('Title of the lesson'),
    summary: z.string().min(10).describe('One or two sentences shown in lists and search results'),
    objectives: z.array(z.string().min(3)).min(1).describe('What the learner can do after the lesson'),
    exercises: z.array(exerciseIdSchema).default([]).describe('Exercises that practise this lesson (ids)'),
    tags: z.array(z.string().min(1)).default([]).describe('Topics, for search'),
  })
  .strict();
export type Lesson = z.infer<typeof lessonSchema>;

const difficultySchema = z.enum(['easy', 'medium', 'hard']).describe('How hard the question is in an interview');

const optionSchema = z
  .object({
    text: z.string().min(1).describe('The option as shown (Markdown inline code allowed)'),
    correct: z.boolean().default(false).describe('Whether choosing this option is right'),
    why: z.string().min(3).describe('Why this option is right, or why it is wrong'),
  })
  .strict();

const questionBase = {
  id: z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/).describe('Stable id within the bank, used to schedule reviews'),
  prompt: z.string().min(5).describe('The question (Markdown)'),
  difficulty: difficultySchema,
  tags: z.array(z.string().min(1)).default([]),
  lesson: z.string().min(1).describe('Slug of the lesson the question comes from, within the same stage'),
  explanation: z.string().min(10).describe('Why the right answer is right'),
};

const choiceQuestion = <T extends 'single' | 'multiple' | 'predict'>(type: T) =>
  z
    .object({
      ...questionBase,
      type: z.literal(type),
      code: z.string().optional().describe('A snippet shown with the question'),
      language: z.string().optional().describe('Language of the snippet, for highlighting'),
      options: z.array(optionSchema).min(2).max(8),
    })
    .strict();

export const questionSchema = z
  .discriminatedUnion('type', [
    choiceQuestion('single'),
    choiceQuestion('multiple'),
    choiceQuestion('predict'),
    z
      .object({
        ...questionBase,
        type: z.literal('order'),
        steps: z.array(z.string().min(1)).min(3).max(8).describe('The steps in the right order; they are shown shuffled'),
      })
      .strict(),
    z
      .object({
        ...questionBase,
        type: z.literal('spot-the-bug'),
        code: z.string().min(1).describe('The snippet; the learner chooses a line'),
        language: z.string().min(1),
        bugLine: z.number().int().positive().describe('1-based line that holds the bug'),
        lineNotes: z.record(z.string(), z.string()).default({}).describe('Optional notes on why other lines are fine, by line number'),
      })
      .strict(),
  ])
  .superRefine((question, ctx) => {
    if (question.type === 'single' || question.type === 'predict') {
      const right = question.options.filter((option) => option.correct).length;
      if (right !== 1) ctx.addIssue({ code: 'custom', path: ['options'], message: `a ${question.type} question needs exactly one correct option, found ${right}` });
    }
    if (question.type === 'multiple' && question.options.filter((option) => option.correct).length < 1) {
      ctx.addIssue({ code: 'custom', path: ['options'], message: 'a multiple-choice question needs at least one correct option' });
    }
    if (question.type === 'spot-the-bug' && question.bugLine > question.code.split('\n').length) {
      ctx.addIssue({ code: 'custom', path: ['bugLine'], message: `line ${question.bugLine} is past the end of the snippet` });
    }
  });
export type Question = z.infer<typeof questionSchema>;

/** `lessons/NN-<stage>/quiz.yaml`: the stage's question bank. */
export const quizBankSchema = z
  .object({
    title: z.string().min(3).describe('Title of the bank'),
    questions: z.array(questionSchema).min(1),
  })
  .strict()
  .superRefine((bank, ctx) => {
    const seen = new Set<string>();
    bank.questions.forEach((question, index) => {
      if (seen.has(question.id)) ctx.addIssue({ code: 'custom', path: ['questions', index, 'id'], message: `duplicate question id "${question.id}"` });
      seen.add(question.id);
    });
  });
export type QuizBank = z.infer<typeof quizBankSchema>;
