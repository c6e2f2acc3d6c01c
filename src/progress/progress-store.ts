import { z } from 'zod';

/**
 * The learner's progress (lessons read, quiz review cards, mock interviews, where they left off),
 * kept in the browser's localStorage behind a versioned schema. Nothing here leaves the browser
 * unless the learner exports it. Saved exercise work and attempts live in IndexedDB
 * (`workspace-store.ts`); the dashboard reads both.
 */

import { PROGRESS_KEY, PROGRESS_VERSION } from './keys.ts';

export { PROGRESS_KEY, PROGRESS_VERSION };
/** Marker that an exported file is ours, not some other JSON. */
export const EXPORT_KIND = 'backend-workflow-progress';

const isoDate = z.iso.datetime({ offset: true });

/** A question's spaced-repetition state (FSRS), stored as plain JSON. */
export const reviewCardSchema = z
  .object({
    due: isoDate,
    stability: z.number().nonnegative(),
    difficulty: z.number().nonnegative(),
    elapsedDays: z.number().nonnegative(),
    scheduledDays: z.number().nonnegative(),
    learningSteps: z.number().int().nonnegative(),
    reps: z.number().int().nonnegative(),
    lapses: z.number().int().nonnegative(),
    state: z.number().int().min(0).max(3),
    lastReview: isoDate.optional(),
    /** Answers so far, newest last (at most 20 kept). */
    history: z.array(z.object({ at: isoDate, correct: z.boolean() }).strict()).max(20),
  })
  .strict();
export type ReviewCard = z.infer<typeof reviewCardSchema>;

export const mockInterviewSchema = z
  .object({
    at: isoDate,
    questions: z.number().int().positive(),
    correct: z.number().int().nonnegative(),
    minutes: z.number().positive(),
    byStage: z.record(z.string(), z.object({ correct: z.number().int().nonnegative(), total: z.number().int().positive() }).strict()),
  })
  .strict();
export type MockInterviewResult = z.infer<typeof mockInterviewSchema>;

export const progressSchema = z
  .object({
    version: z.literal(PROGRESS_VERSION),
    /** Lesson URL -> when it was first read to the end. */
    lessonsRead: z.record(z.string(), isoDate),
    /** Question key (`<stage>/<question id>`) -> its review card. */
    cards: z.record(z.string(), reviewCardSchema),
    mockInterviews: z.array(mockInterviewSchema).max(50),
    /** The last lesson or exercise the learner opened, for "continue where you left off". */
    lastVisited: z.object({ url: z.string().startsWith('/'), title: z.string(), at: isoDate }).strict().optional(),
  })
  .strict();
export type Progress = z.infer<typeof progressSchema>;

export const emptyProgress = (): Progress => ({ version: PROGRESS_VERSION, lessonsRead: {}, cards: {}, mockInterviews: [] });

/** What the learner is told when a file or stored data cannot be used. */
export class ProgressFormatError extends Error {
  override name = 'ProgressFormatError';
}

/**
 * Checks data that claims to be progress: ours, a version this code knows, and well-formed.
 * Every refusal says what is wrong in words a learner understands.
 */
export function parseProgress(data: unknown): Progress {
  if (typeof data !== 'object' || data === null) throw new ProgressFormatError('This is not a Backend Workflow progress file.');
  const record = data as Record<string, unknown>;
  const version = record.version;
  if (typeof version !== 'number') throw new ProgressFormatError('This is not a Backend Workflow progress file: it has no version.');
  if (version > PROGRESS_VERSION) {
    throw new ProgressFormatError(`This progress file was made by a newer version of the course (format ${version}; this one reads ${PROGRESS_VERSION}). Update the course and try again.`);
  }
  if (version < 1) throw new ProgressFormatError(`This progress file has an unknown format (${version}).`);
  const result = progressSchema.safeParse(data);
  if (!result.success) {
    const first = result.error.issues[0]!;
    throw new ProgressFormatError(`This progress file is damaged: ${first.path.join('.') || 'its contents'}: ${first.message}.`);
  }
  return result.data;
}

/** Minimal storage interface, so tests can use a Map instead of localStorage. */
export interface KeyValueStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

export interface LoadResult {
  progress: Progress;
  /** Set when stored data could not be read and was moved aside (never deleted). */
  setAside?: { key: string; reason: string };
}

/** Reads progress; corrupt or foreign data is moved to a side key and the learner starts afresh. */
export function loadProgress(storage: KeyValueStorage, now = new Date()): LoadResult {
  const text = storage.getItem(PROGRESS_KEY);
  if (text === null) return { progress: emptyProgress() };
  try {
    return { progress: parseProgress(JSON.parse(text)) };
  } catch (error) {
    const key = `${PROGRESS_KEY}:set-aside:${now.toISOString()}`;
    storage.setItem(key, text);
    storage.removeItem(PROGRESS_KEY);
    const reason = error instanceof ProgressFormatError ? error.message : 'The stored progress is not valid JSON.';
    return { progress: emptyProgress(), setAside: { key, reason } };
  }
}

export function saveProgress(storage: KeyValueStorage, progress: Progress): void {
  storage.setItem(PROGRESS_KEY, JSON.stringify(progressSchema.parse(progress)));
}

/** Reads, changes and saves progress in one step. */
export function updateProgress(storage: KeyValueStorage, change: (progress: Progress) => void): Progress {
  const { progress } = loadProgress(storage);
  change(progress);
  saveProgress(storage, progress);
  return progress;
}

/** The export file: the progress wrapped with a marker and the time, as pretty JSON. */
export function exportProgress(progress: Progress, now = new Date()): string {
  return JSON.stringify({ kind: EXPORT_KIND, exportedAt: now.toISOString(), progress }, null, 2);
}

/**
 * Reads an export file. Refuses anything that is not ours, from a newer version or damaged,
 * with a clear message; the caller changes nothing unless this returns.
 */
export function importProgress(text: string): Progress {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new ProgressFormatError('This file is not JSON, so it cannot be a progress export.');
  }
  if (typeof data !== 'object' || data === null || (data as { kind?: unknown }).kind !== EXPORT_KIND) {
    throw new ProgressFormatError('This JSON file is not a Backend Workflow progress export.');
  }
  return parseProgress((data as { progress?: unknown }).progress);
}
