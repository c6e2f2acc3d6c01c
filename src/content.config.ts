import { defineCollection } from 'astro:content';
import { glob, type Loader } from 'astro/loaders';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { lessonSchema, quizBankSchema } from '../graders/core/content.ts';
import { exerciseSchema } from '../graders/core/exercise.ts';
import { ContentError, parseContent } from '../graders/core/friendly-errors.ts';
import { listExerciseIds, parseManifest } from '../graders/core/exercises.ts';

/**
 * The course's content collections. Every schema comes from graders/core, so the site, the CLI
 * and the content tests validate the same things. Manifests and quiz banks are loaded with our
 * own parser so a broken file fails the build with a message naming the file and the field.
 */

const exercisesDir = 'exercises';
const lessonsDir = 'lessons';

/** `exercises/<id>/exercise.yaml`, parsed with the same code the CLI uses. */
function exerciseManifests(): Loader {
  return {
    name: 'exercise-manifests',
    load: async ({ store, parseData, watcher }) => {
      store.clear();
      for (const id of listExerciseIds(exercisesDir)) {
        const file = join(exercisesDir, id, 'exercise.yaml');
        const manifest = parseManifest(readFileSync(file, 'utf8'), file);
        store.set({ id, data: await parseData({ id, data: manifest, filePath: file }), filePath: file });
      }
      watcher?.add(exercisesDir);
    },
  };
}

/** `lessons/NN-<stage>/quiz.yaml`: one question bank per stage, keyed by the stage folder. */
function quizBanks(): Loader {
  return {
    name: 'quiz-banks',
    load: async ({ store, parseData, watcher }) => {
      store.clear();
      for (const folder of existsSync(lessonsDir) ? readdirSync(lessonsDir).sort() : []) {
        const file = join(lessonsDir, folder, 'quiz.yaml');
        if (!existsSync(file)) continue;
        let data: unknown;
        try {
          data = parseYaml(readFileSync(file, 'utf8'));
        } catch (error) {
          throw new ContentError(file, [`not valid YAML: ${error instanceof Error ? error.message : String(error)}`]);
        }
        const bank = parseContent(quizBankSchema, data, file);
        store.set({ id: folder, data: await parseData({ id: folder, data: bank, filePath: file }), filePath: file });
      }
      watcher?.add(lessonsDir);
    },
  };
}

export const collections = {
  lessons: defineCollection({
    loader: glob({ pattern: '[0-9][0-9]-*/[0-9][0-9]-*.mdx', base: `./${lessonsDir}` }),
    schema: lessonSchema,
  }),
  exercises: defineCollection({ loader: exerciseManifests(), schema: exerciseSchema }),
  briefs: defineCollection({
    loader: glob({ pattern: '*/task.mdx', base: `./${exercisesDir}`, generateId: ({ entry }) => entry.split('/')[0]! }),
  }),
  quizzes: defineCollection({ loader: quizBanks(), schema: quizBankSchema }),
};
