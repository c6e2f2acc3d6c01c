import { mkdir, readFile, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { gradeSubmission } from '../../../graders/core/grade.ts';
import { send } from '../../../graders/http-api/http.ts';
import { jobsFolder, readyMarker, repliesFolder } from './protocol.ts';
import { type RequestJob, runService } from './service.ts';

/**
 * The grading service's entry inside the WebContainer (compiled into the prebuilt tree as
 * `lib/src/runtime/container/service-main.js`, started with the grader folder as its working
 * directory). The same `gradeSubmission` as the CLI and the course server does the grading.
 */

async function request(job: RequestJob, signal: AbortSignal) {
  const started = performance.now();
  const sent = { method: job.method, path: job.path, headers: job.headers ?? {}, ...(job.body !== undefined ? { body: job.body } : {}) };
  // A server told nothing about its host may bind `localhost`, which is ::1 on some systems.
  let result = await send('127.0.0.1', job.port, sent, job.timeoutMs, signal);
  if (result.kind === 'refused') result = await send('localhost', job.port, sent, job.timeoutMs, signal);
  const durationMs = Math.round(performance.now() - started);
  if (result.kind === 'response') return { status: result.response.status, headers: result.response.headers, body: result.response.text, durationMs };
  if (result.kind === 'timeout') throw new Error(`Your server did not answer \`${job.method} ${job.path}\` within ${job.timeoutMs / 1000} s.`);
  throw new Error(`Your server did not accept the connection (${result.kind === 'refused' ? 'connection refused' : result.code}). Is it still running?`);
}

await mkdir(jobsFolder, { recursive: true });
await mkdir(repliesFolder, { recursive: true });
console.log(readyMarker);

let sequence = 0;
await runService({
  list: (folder) => readdir(folder),
  read: (path) => readFile(path, 'utf8'),
  async write(path, text) {
    const temporary = `${path}.${process.pid}.${sequence++}.tmp`;
    await writeFile(temporary, text);
    await rename(temporary, path);
  },
  remove: (path) => rm(path, { force: true }),
  grade: (exerciseId, files, signal) => gradeSubmission(exerciseId, files, { signal }),
  request,
  sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
});
