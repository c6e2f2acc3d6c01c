import type { Report } from '../../../graders/core/report.ts';
import type { TryResponse } from '../runner.ts';
import { type Job, type JobReply, jobsFolder, repliesFolder } from './protocol.ts';

/**
 * The grading service that runs inside the WebContainer: one long-lived Node process, so the
 * graders stay loaded (and the PGlite database warm) between checks, exactly as on the course
 * server. It polls its jobs folder, runs each job, and writes the reply beside it (protocol.ts).
 * The file system and the engine come in through `ServiceIo`, so the loop itself is tested.
 */

export type RequestJob = Extract<Job, { type: 'request' }>;

export interface ServiceIo {
  /** File names in a folder relative to the service's working directory. */
  list(folder: string): Promise<string[]>;
  read(path: string): Promise<string>;
  /** Writes a whole file that readers never see half-written. */
  write(path: string, text: string): Promise<void>;
  remove(path: string): Promise<void>;
  grade(exerciseId: string, files: ReadonlyMap<string, string>, signal: AbortSignal): Promise<Report>;
  request(job: RequestJob, signal: AbortSignal): Promise<TryResponse>;
  sleep(ms: number): Promise<void>;
}

export interface ServiceOptions {
  pollMs?: number;
  /** Ends the loop (tests); the real service runs until the container is torn down. */
  signal?: AbortSignal;
}

/** Runs jobs until `signal` aborts. Jobs run concurrently: a panel request never waits for a grade. */
export async function runService(io: ServiceIo, options: ServiceOptions = {}): Promise<void> {
  const pollMs = options.pollMs ?? 25;
  const running = new Map<string, AbortController>();
  const tasks = new Set<Promise<void>>();

  while (!options.signal?.aborted) {
    const names = await io.list(jobsFolder).catch(() => [] as string[]);
    const cancelled = new Set(names.filter((name) => name.endsWith('.cancel')).map((name) => name.slice(0, -'.cancel'.length)));
    for (const id of cancelled) {
      running.get(id)?.abort(new Error('cancelled by the page'));
      await io.remove(`${jobsFolder}/${id}.cancel`).catch(() => undefined);
    }
    for (const name of names) {
      if (!name.endsWith('.json')) continue; // `.tmp` files are still being written
      const id = name.slice(0, -'.json'.length);
      if (running.has(id)) continue;
      const path = `${jobsFolder}/${name}`;
      const text = await io.read(path).catch(() => undefined);
      await io.remove(path).catch(() => undefined);
      if (text === undefined || cancelled.has(id)) continue;
      const controller = new AbortController();
      running.set(id, controller);
      const task = handle(io, id, text, controller.signal).finally(() => {
        running.delete(id);
        tasks.delete(task);
      });
      tasks.add(task);
    }
    await io.sleep(pollMs);
  }
  for (const controller of running.values()) controller.abort(new Error('the service stopped'));
  await Promise.all(tasks);
}

async function handle(io: ServiceIo, id: string, text: string, signal: AbortSignal): Promise<void> {
  let reply: JobReply;
  try {
    const job = parseJob(text);
    reply =
      job.type === 'grade'
        ? { ok: true, report: await io.grade(job.exerciseId, new Map(Object.entries(job.files)), signal) }
        : { ok: true, response: await io.request(job, signal) };
  } catch (error) {
    reply = { ok: false, error: error instanceof Error ? error.message : String(error) };
  }
  // Nobody waits for the answer to a cancelled job.
  if (signal.aborted) return;
  await io.write(`${repliesFolder}/${id}.json`, JSON.stringify(reply));
}

/** The page wrote the job; a malformed one is still answered, with what is wrong. */
export function parseJob(text: string): Job {
  const job = JSON.parse(text) as Partial<Job>;
  if (job.type === 'grade' && typeof job.exerciseId === 'string' && typeof job.files === 'object' && job.files !== null) return job as Job;
  if (job.type === 'request' && typeof job.port === 'number' && typeof job.method === 'string' && typeof job.path === 'string') return job as Job;
  throw new Error(`not a job the grading service knows: ${text.slice(0, 120)}`);
}
