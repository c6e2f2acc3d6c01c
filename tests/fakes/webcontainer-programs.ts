import type { Report } from '../../graders/core/report.ts';
import { jobsFolder, readyMarker, repliesFolder, serviceEntry } from '../../src/runtime/container/protocol.ts';
import { runService } from '../../src/runtime/container/service.ts';
import { type FakeHttpHandler, type FakeProgram, fake } from './webcontainer-api.ts';

/**
 * Programs for the fake WebContainer: what `node <service>`, `npm start` and `jsh` do inside it.
 * The grading service is the real job loop (src/runtime/container/service.ts) over the fake file
 * system; only the grading engine behind it is the test's.
 */

export type FakeGrade = (exerciseId: string, files: ReadonlyMap<string, string>, signal: AbortSignal) => Promise<Report>;

/** `node lib/src/runtime/container/service-main.js`, with `grade` in place of the engine. */
export function gradingService(grade: FakeGrade, options: { crashOnStart?: string } = {}): FakeProgram {
  return async (context) => {
    if (context.args[0] !== serviceEntry) {
      context.print(`Error: Cannot find module '/home/shelf/${context.cwd}/${context.args[0]}'\n`);
      return 1;
    }
    if (options.crashOnStart) {
      context.print(`${options.crashOnStart}\n`);
      return 1;
    }
    const at = (path: string) => `${context.cwd}/${path}`;
    await context.fs.mkdir(at(jobsFolder), { recursive: true });
    await context.fs.mkdir(at(repliesFolder), { recursive: true });
    context.print(`${readyMarker}\n`);
    let sequence = 0;
    await runService(
      {
        list: (folder) => context.fs.readdir(at(folder)),
        read: (path) => context.fs.readFile(at(path), 'utf8'),
        async write(path, text) {
          const temporary = `${path}.${sequence++}.tmp`;
          await context.fs.writeFile(at(temporary), text);
          await context.fs.rename(at(temporary), at(path));
        },
        remove: (path) => context.fs.rm(at(path), { force: true }),
        grade,
        async request(job) {
          const handler = fake.network.get(job.port);
          if (!handler) throw new Error(`Your server did not accept the connection (connection refused). Is it still running?`);
          const started = performance.now();
          const response = await handler({ method: job.method, path: job.path, headers: job.headers ?? {}, ...(job.body !== undefined ? { body: job.body } : {}) });
          return { status: response.status, headers: response.headers ?? {}, body: response.body ?? '', durationMs: Math.round(performance.now() - started) };
        },
        sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
      },
      { pollMs: 5, signal: context.signal },
    );
    return 0;
  };
}

/**
 * `npm start` in a learner's app folder: reads `src/server.js` from the container's file system
 * and behaves as its text says (a tiny stand-in for Node running it): `throw` crashes at
 * start-up, `never-listen` never opens a port, anything else listens on PORT with `handler`.
 */
export function learnerServer(handler: FakeHttpHandler): FakeProgram {
  return async (context) => {
    if (context.args.join(' ') !== 'start') return 1;
    const source = await context.fs.readFile(`${context.cwd}/src/server.js`, 'utf8').catch(() => undefined);
    if (source === undefined) {
      context.print("Error: Cannot find module 'src/server.js'\n");
      return 1;
    }
    context.print(`> shelf@1.0.0 start\n> node src/server.js\n\n`);
    if (source.includes('throw')) {
      context.print('file:///home/shelf/apps/build-api/src/server.js:1\nthrow new Error("no books here");\n^\n\nError: no books here\n');
      return 1;
    }
    if (source.includes('never-listen')) {
      await new Promise((resolve) => context.signal.addEventListener('abort', resolve, { once: true }));
      return 130;
    }
    const port = Number(context.env.PORT);
    context.listen(port, handler);
    context.print(`\u001b[32mShelf API listening on port ${port}\u001b[39m\n`);
    await new Promise((resolve) => context.signal.addEventListener('abort', resolve, { once: true }));
    return 130;
  };
}

/** `jsh`: echoes what is typed; `exit` ends it. */
export const echoShell: FakeProgram = async (context) => {
  context.print('❯ ');
  for (;;) {
    const data = await context.input();
    if (data === undefined) return 130;
    if (data.trim() === 'exit') return 0;
    context.print(`${data.replace(/\r$/, '')}\n❯ `);
  }
};
