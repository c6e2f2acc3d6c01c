import type { BootOptions, FileSystemTree, WebContainer, WebContainerProcess } from '@webcontainer/api';
import { type Report, reportSchema } from '../../graders/core/report.ts';
import { type Job, type JobReply, type TreeExercise, type TreeIndex, appsDir, graderDir, jobsFolder, readyMarker, repliesFolder, serviceEntry } from './container/protocol.ts';
import {
  AppStartError,
  type AppSession,
  type Runner,
  type RunnerState,
  RunnerStateStore,
  RunnerUnavailableError,
  type ShellOptions,
  type ShellSession,
  type TryRequest,
  type TryResponse,
  type WorkspaceFiles,
} from './runner.ts';
import { abortable } from '../../graders/core/abort.ts';

/**
 * The runner for a static host: a WebContainer (StackBlitz's Node.js in the browser) boots in the
 * page, mounts the prebuilt grader tree (scripts/build-webcontainer-bundle.mjs) instead of
 * installing anything, and runs the same `gradeSubmission` as the CLI in a long-lived grading
 * service inside the container (src/runtime/container/). The page and the service exchange jobs
 * and replies as files (container/protocol.ts).
 *
 * `WebContainer.boot()` has no timeout and no error path when its runtime cannot be fetched (it
 * waits forever offline; notes/toolchain.md, section 5), so every stage has our own limit and the
 * state names the stage, and a stuck boot becomes `unavailable` with the reason.
 */

export interface WebContainerApi {
  WebContainer: { boot(options?: BootOptions): Promise<WebContainer> };
}

export interface WebContainerRunnerOptions {
  /** The folder that holds `index.json` and the zips; default `/webcontainer/` on this site. */
  treeUrl?: string;
  /** Limits, in ms; tests shorten them. */
  bootTimeoutMs?: number;
  serviceTimeoutMs?: number;
  checkTimeoutMs?: number;
  appReadyMs?: number;
  requestTimeoutMs?: number;
  pollMs?: number;
  /** How `@webcontainer/api` is loaded (tests give a fake); default: `import()` on first need. */
  loadApi?: () => Promise<WebContainerApi>;
  fetch?: typeof fetch;
}

export const webContainerDefaults = {
  bootTimeoutMs: 20_000,
  serviceTimeoutMs: 30_000,
  // The grade itself stops at 30 s inside the container; this only catches a service that went silent.
  checkTimeoutMs: 60_000,
  appReadyMs: 15_000,
  requestTimeoutMs: 10_000,
  pollMs: 40,
} as const;

/** What a learner's server output keeps (the course server keeps 64 KB too). */
const outputKeepChars = 64 * 1024;

/** One boot per page, whichever runner asks: the API refuses a second concurrent instance. */
const boots = new WeakMap<object, Promise<WebContainer>>();

interface Service {
  process: WebContainerProcess;
  output: () => string;
  exited: Promise<number>;
  exitCode: number | undefined;
}

interface RunningApp {
  exerciseId: string;
  process: WebContainerProcess;
  session: WebContainerAppSession;
}

export class WebContainerRunner implements Runner {
  readonly kind = 'webcontainer' as const;
  readonly #options: Required<Omit<WebContainerRunnerOptions, 'loadApi' | 'fetch' | 'treeUrl'>>;
  readonly #treeUrl: string;
  readonly #loadApi: () => Promise<WebContainerApi>;
  readonly #fetch: typeof fetch;
  readonly #states = new RunnerStateStore({ phase: 'idle' });
  #api: WebContainerApi | undefined;
  #index: Promise<TreeIndex> | undefined;
  /** The boot this runner waits for (shared by the page), and the booted, mounted container. */
  #boot: Promise<WebContainer> | undefined;
  #container: Promise<WebContainer> | undefined;
  #service: Promise<Service> | undefined;
  #appPackages: Promise<void> | undefined;
  #apps = new Map<string, RunningApp>();
  #nextPort = 3100;
  #disposed = false;

  constructor(options: WebContainerRunnerOptions = {}) {
    this.#options = {
      bootTimeoutMs: options.bootTimeoutMs ?? webContainerDefaults.bootTimeoutMs,
      serviceTimeoutMs: options.serviceTimeoutMs ?? webContainerDefaults.serviceTimeoutMs,
      checkTimeoutMs: options.checkTimeoutMs ?? webContainerDefaults.checkTimeoutMs,
      appReadyMs: options.appReadyMs ?? webContainerDefaults.appReadyMs,
      requestTimeoutMs: options.requestTimeoutMs ?? webContainerDefaults.requestTimeoutMs,
      pollMs: options.pollMs ?? webContainerDefaults.pollMs,
    };
    this.#treeUrl = options.treeUrl ?? new URL('/webcontainer/', globalThis.location?.href ?? 'http://localhost/').href;
    this.#loadApi = options.loadApi ?? (() => import('@webcontainer/api'));
    this.#fetch = options.fetch ?? ((input, init) => fetch(input, init));
  }

  state(): RunnerState {
    return this.#states.get();
  }

  subscribe(listener: (state: RunnerState) => void): () => void {
    return this.#states.subscribe(listener);
  }

  #setState(state: RunnerState): void {
    if (!this.#disposed) this.#states.set(state);
  }

  async check(exerciseId: string, files: WorkspaceFiles, signal?: AbortSignal): Promise<Report> {
    const exercise = await this.#exercise(exerciseId);
    if (!exercise.checks) {
      throw new RunnerUnavailableError(
        `${exercise.why ?? 'This exercise cannot be checked in the browser.'} Run the course on your computer (\`npm start\`) to check it, or grade it with \`npx backend-workflow grade ${exerciseId}\`.`,
      );
    }
    const service = await abortable(this.#ensureService(), signal);
    const reply = await this.#job(service, { type: 'grade', exerciseId, files }, this.#options.checkTimeoutMs, signal);
    if (!('report' in reply)) throw new Error('The grader in your browser answered a check with something other than a report.');
    const parsed = reportSchema.safeParse(reply.report);
    if (!parsed.success) throw new Error(`The grader in your browser returned a report in an unknown format: ${parsed.error.issues[0]?.message ?? 'invalid'}.`);
    return parsed.data;
  }

  async startApp(exerciseId: string, files: WorkspaceFiles, signal?: AbortSignal): Promise<AppSession> {
    const exercise = await this.#exercise(exerciseId);
    if (exercise.kind !== 'http-api') throw new RunnerUnavailableError(`The exercise "${exerciseId}" has no server to start; only API exercises do.`);
    const service = await abortable(this.#ensureService(), signal);
    const container = await this.#ensureContainer();
    await abortable(this.#ensureAppPackages(container), signal);
    // One server per exercise, as on the course server: a new start replaces the old one.
    await this.#apps.get(exerciseId)?.session.stop();

    const dir = `${appsDir}/${exerciseId}`;
    await container.fs.rm(dir, { recursive: true, force: true });
    const given: Record<string, string> = {};
    for (const path of exercise.readonly) given[path] = await container.fs.readFile(`${graderDir}/exercises/${exerciseId}/starter/${path}`, 'utf8');
    // Read-only files come from the exercise, never from the page, exactly as in a grade.
    await writeFiles(container, dir, { ...files, ...given });

    const port = this.#nextPort++;
    const server = await container.spawn('npm', ['start'], { cwd: dir, env: { PORT: port, NODE_ENV: 'development' } });
    const output = collect(server.output, outputKeepChars);
    let exitCode: number | null = null;
    const exited = server.exit.then((code) => {
      exitCode = code;
      return code;
    });

    let unsubscribe = () => {};
    const ready = new Promise<string>((resolve) => {
      unsubscribe = container.on('server-ready', (readyPort, url) => {
        if (readyPort === port) resolve(url);
      });
    });
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => (timer = setTimeout(() => resolve('timeout'), this.#options.appReadyMs)));
    try {
      const outcome = await abortable(
        Promise.race([ready.then((url) => ({ kind: 'ready' as const, url })), exited.then((code) => ({ kind: 'exited' as const, code })), timedOut.then(() => ({ kind: 'timeout' as const }))]),
        signal,
      );
      if (outcome.kind === 'exited') {
        await settle(output.done);
        throw new AppStartError(`Your server stopped during start-up (exit code ${outcome.code}) before it listened on a port. Its output below says why.`, output.text());
      }
      if (outcome.kind === 'timeout') {
        server.kill();
        throw new AppStartError(
          `Your server did not listen on port ${port} within ${this.#options.appReadyMs / 1000} s. \`npm start\` gives it the port in the PORT environment variable: does it call listen(process.env.PORT)?`,
          output.text(),
        );
      }
      const session = new WebContainerAppSession({
        url: outcome.url,
        output: () => ({ text: output.text(), running: exitCode === null, exitCode }),
        request: (request, requestSignal) => this.#request(service, port, request, requestSignal),
        stop: async () => {
          if (this.#apps.get(exerciseId)?.session === session) this.#apps.delete(exerciseId);
          server.kill();
          await Promise.race([exited, delay(1000)]);
        },
      });
      this.#apps.set(exerciseId, { exerciseId, process: server, session });
      return session;
    } catch (error) {
      if (signal?.aborted) server.kill();
      throw error;
    } finally {
      clearTimeout(timer);
      unsubscribe();
    }
  }

  async shell(options: ShellOptions, signal?: AbortSignal): Promise<ShellSession> {
    const container = await abortable(this.#ensureContainer(), signal);
    const cwd = options.cwd ?? [...this.#apps.keys()].map((id) => `${appsDir}/${id}`).at(-1);
    const shell = await container.spawn('jsh', { terminal: { cols: options.cols, rows: options.rows }, ...(cwd ? { cwd } : {}) });
    const writer = shell.input.getWriter();
    return {
      output: shell.output,
      write: (data) => writer.write(data),
      resize: (size) => shell.resize(size),
      exit: shell.exit,
      kill: () => shell.kill(),
    };
  }

  async dispose(): Promise<void> {
    if (this.#disposed) return;
    await Promise.all([...this.#apps.values()].map((app) => app.session.stop().catch(() => undefined)));
    const service = await this.#service?.catch(() => undefined);
    service?.process.kill();
    this.#disposed = true;
    const api = this.#api;
    const tearDown = (container: WebContainer) => {
      container.teardown();
      if (api) boots.delete(api.WebContainer);
    };
    const container = await settleWithin(this.#boot, 1000);
    if (container) tearDown(container);
    else if (this.#boot) {
      // Still booting (offline, the boot never ends): tear it down if it ever does, and let a
      // later runner ask again (the API itself waits for the pending boot before another).
      void this.#boot.then(tearDown, () => undefined);
      if (api) boots.delete(api.WebContainer);
    }
    this.#states.clear();
  }

  // ---- stages

  /** The tree's table of contents: which exercises can be checked here, and the files to fetch. */
  #treeIndex(): Promise<TreeIndex> {
    this.#index ??= (async () => {
      let response: Response;
      try {
        response = await this.#fetch(new URL('index.json', this.#treeUrl), { cache: 'no-cache' });
      } catch {
        throw new RunnerUnavailableError('The in-browser grader could not be downloaded. Check your connection and try again.');
      }
      if (!response.ok) throw new RunnerUnavailableError('This copy of the course was published without its in-browser grader (webcontainer/index.json is missing), so checks cannot run in the browser here.');
      const index = (await response.json()) as TreeIndex;
      if (index.version !== 1) throw new RunnerUnavailableError('The in-browser grader on this site is of an unknown version. Reload the page.');
      return index;
    })();
    this.#index.catch(() => (this.#index = undefined));
    return this.#index;
  }

  async #exercise(exerciseId: string): Promise<TreeExercise> {
    const index = await this.#treeIndex();
    const exercise = index.exercises[exerciseId];
    if (!exercise) throw new RunnerUnavailableError(`The in-browser grader on this site does not know the exercise "${exerciseId}"; it was published before the exercise was added.`);
    return exercise;
  }

  /** Boots the container and mounts the grader tree, once; a failure is remembered as the state's reason and retried on the next call. */
  #ensureContainer(): Promise<WebContainer> {
    this.#container ??= this.#startContainer().catch((error: unknown) => {
      this.#container = undefined;
      const reason = error instanceof Error ? error.message : String(error);
      this.#setState({ phase: 'unavailable', reason });
      throw error instanceof RunnerUnavailableError ? error : new RunnerUnavailableError(reason);
    });
    return this.#container;
  }

  async #startContainer(): Promise<WebContainer> {
    this.#setState({ phase: 'starting', step: 'booting Node.js in your browser' });
    const api = (this.#api ??= await this.#loadApi().catch(() => {
      throw new RunnerUnavailableError('The in-browser runtime (WebContainer) could not be loaded. Check your connection and reload the page.');
    }));
    let boot = boots.get(api.WebContainer);
    if (!boot) {
      boot = api.WebContainer.boot({ coep: 'require-corp', workdirName: 'shelf' });
      boots.set(api.WebContainer, boot);
      boot.catch(() => boots.delete(api.WebContainer));
    }
    this.#boot = boot;
    // A boot that outlives our limit stays pending: the next attempt waits for the same one.
    const container = await withTimeout(boot, this.#options.bootTimeoutMs, () => {
      const seconds = this.#options.bootTimeoutMs / 1000;
      return new RunnerUnavailableError(
        `Node.js in your browser (a WebContainer) did not start within ${seconds} s. It is downloaded from StackBlitz (stackblitz.com), so it needs an internet connection that reaches it; offline, run the course on your computer with \`npm start\`.`,
      );
    }).catch((error: unknown) => {
      if (error instanceof RunnerUnavailableError) throw error;
      throw new RunnerUnavailableError(`Node.js in your browser (a WebContainer) could not start: ${error instanceof Error ? error.message : String(error)}`);
    });

    const index = await this.#treeIndex();
    const zip = await this.#download(index.grader.file, index.grader.bytes, 'loading the grader');
    this.#setState({ phase: 'starting', step: 'mounting files' });
    await mountZip(container, zip, graderDir);
    return container;
  }

  #ensureService(): Promise<Service> {
    if (this.#service) return this.#service;
    const service: Promise<Service> = (async () => {
      const container = await this.#ensureContainer();
      this.#setState({ phase: 'starting', step: 'starting the grader' });
      const started = await this.#startService(container);
      this.#setState({ phase: 'ready' });
      // A service that dies is started again on the next check (the container stays).
      void started.exited.then(() => {
        if (this.#service === service) this.#service = undefined;
      });
      return started;
    })().catch((error: unknown) => {
      if (this.#service === service) this.#service = undefined;
      const reason = error instanceof Error ? error.message : String(error);
      this.#setState({ phase: 'unavailable', reason });
      throw error instanceof RunnerUnavailableError ? error : new RunnerUnavailableError(reason);
    });
    this.#service = service;
    return service;
  }

  async #startService(container: WebContainer): Promise<Service> {
    const child = await container.spawn('node', [serviceEntry], { cwd: graderDir });
    let sawReady: () => void = () => {};
    const ready = new Promise<void>((resolve) => (sawReady = resolve));
    const output = collect(child.output, 16 * 1024, (text) => {
      if (text.includes(readyMarker)) sawReady();
    });
    const service: Service = { process: child, output: output.text, exited: child.exit, exitCode: undefined };
    void child.exit.then((code) => (service.exitCode = code));
    const outcome = await withTimeout(
      Promise.race([ready.then(() => 'ready' as const), child.exit.then(() => 'exited' as const)]),
      this.#options.serviceTimeoutMs,
      () => new RunnerUnavailableError(`The grader in your browser did not start within ${this.#options.serviceTimeoutMs / 1000} s.`),
    ).catch((error: unknown) => {
      child.kill();
      throw error;
    });
    if (outcome === 'exited') {
      await settle(output.done);
      throw new RunnerUnavailableError(`The grader in your browser stopped as it started: ${tail(output.text()) || 'it printed nothing'}`);
    }
    return service;
  }

  #ensureAppPackages(container: WebContainer): Promise<void> {
    this.#appPackages ??= (async () => {
      const index = await this.#treeIndex();
      if (!index.app) throw new RunnerUnavailableError('This copy of the course was published without the packages a learner’s server may use.');
      const zip = await this.#download(index.app.file, index.app.bytes, 'loading express, hono and fastify');
      await mountZip(container, zip, appsDir);
      this.#setState({ phase: 'ready' });
    })();
    this.#appPackages.catch(() => (this.#appPackages = undefined));
    return this.#appPackages;
  }

  /** Fetches a zip of the tree, showing how much has arrived. */
  async #download(file: string, bytes: number, step: string): Promise<Uint8Array> {
    const total = megabytes(bytes);
    this.#setState({ phase: 'starting', step, detail: `${total} MB` });
    let response: Response;
    try {
      response = await this.#fetch(new URL(file, this.#treeUrl));
    } catch {
      throw new RunnerUnavailableError('The in-browser grader could not be downloaded. Check your connection and try again.');
    }
    if (!response.ok || !response.body) throw new RunnerUnavailableError(`The in-browser grader could not be downloaded (HTTP ${response.status}). Reload the page to try again.`);
    const reader = response.body.getReader();
    const chunks: Uint8Array[] = [];
    let received = 0;
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      received += value.length;
      this.#setState({ phase: 'starting', step, detail: `${megabytes(received)} of ${total} MB` });
    }
    const zip = new Uint8Array(received);
    let offset = 0;
    for (const chunk of chunks) {
      zip.set(chunk, offset);
      offset += chunk.length;
    }
    return zip;
  }

  // ---- jobs for the grading service

  async #job(service: Service, job: Job, timeoutMs: number, signal?: AbortSignal): Promise<JobReply & { ok: true }> {
    const container = await this.#ensureContainer();
    const id = crypto.randomUUID();
    const jobPath = `${graderDir}/${jobsFolder}/${id}.json`;
    const replyPath = `${graderDir}/${repliesFolder}/${id}.json`;
    // Written whole, then renamed: the service never reads half a job.
    await container.fs.writeFile(`${jobPath}.tmp`, JSON.stringify(job));
    await container.fs.rename(`${jobPath}.tmp`, jobPath);
    const deadline = Date.now() + timeoutMs;
    const cancel = () => container.fs.writeFile(`${graderDir}/${jobsFolder}/${id}.cancel`, '').catch(() => undefined);
    for (;;) {
      if (signal?.aborted) {
        await cancel();
        throw signal.reason ?? new DOMException('The operation was aborted.', 'AbortError');
      }
      const text = await container.fs.readFile(replyPath, 'utf8').catch(() => undefined);
      if (text !== undefined) {
        await container.fs.rm(replyPath, { force: true }).catch(() => undefined);
        const reply = JSON.parse(text) as JobReply;
        if (!reply.ok) throw new Error(reply.error);
        return reply;
      }
      if (service.exitCode !== undefined) {
        throw new Error(`The grader in your browser stopped (exit code ${service.exitCode}). Check again to restart it. ${tail(service.output())}`.trim());
      }
      if (Date.now() > deadline) {
        await cancel();
        throw new Error(`The grader in your browser did not answer within ${Math.round(timeoutMs / 1000)} s. Check again; if it keeps happening, reload the page.`);
      }
      await delay(this.#options.pollMs, signal).catch(() => undefined);
    }
  }

  async #request(service: Service, port: number, request: TryRequest, signal?: AbortSignal): Promise<TryResponse> {
    const timeoutMs = this.#options.requestTimeoutMs;
    const reply = await this.#job(service, { type: 'request', port, timeoutMs, ...request }, timeoutMs + 5_000, signal);
    if (!('response' in reply)) throw new Error('The grader in your browser answered a request with something other than a response.');
    return reply.response;
  }
}

interface AppParts {
  output(): { text: string; running: boolean; exitCode: number | null };
  request(request: TryRequest, signal?: AbortSignal): Promise<TryResponse>;
  stop(): Promise<void>;
}

class WebContainerAppSession implements AppSession {
  /** The address the container gives the server (`server-ready`), for a preview. */
  readonly url: string;
  readonly #parts: AppParts;

  constructor(parts: AppParts & { url: string }) {
    this.url = parts.url;
    this.#parts = parts;
  }

  async request(request: TryRequest, signal?: AbortSignal): Promise<TryResponse> {
    if (!this.#parts.output().running) throw new Error('Your server has stopped: its output says why. Fix it and start it again.');
    return this.#parts.request(request, signal);
  }

  async output(): Promise<{ text: string; running: boolean; exitCode: number | null }> {
    return this.#parts.output();
  }

  stop(): Promise<void> {
    return this.#parts.stop();
  }
}

// ---- helpers

/** Reads a process's output stream into a capped text; `onChunk` sees each piece as it comes. */
function collect(stream: ReadableStream<string>, keepChars: number, onChunk?: (text: string) => void): { text: () => string; done: Promise<void> } {
  let text = '';
  let cut = false;
  const done = stream
    .pipeTo(
      new WritableStream<string>({
        write(chunk) {
          onChunk?.(text.slice(-200) + chunk);
          if (text.length + chunk.length > keepChars) {
            text += chunk.slice(0, Math.max(0, keepChars - text.length));
            cut = true;
          } else text += chunk;
        },
      }),
    )
    .catch(() => undefined);
  // A terminal ends lines with \r\n and may colour them; the panel shows plain text.
  return { text: () => plainText(text) + (cut ? `\n… (output cut after ${Math.round(keepChars / 1024)} KB)` : ''), done };
}

/** Terminal output as plain text: CR LF -> LF, colour and cursor escapes removed. */
export function plainText(text: string): string {
  return text.replace(/\u001b\[[0-9;?]*[A-Za-z]|\u001b\][^\u0007]*\u0007/g, '').replace(/\r\n?/g, '\n');
}

function tail(text: string, chars = 600): string {
  const trimmed = text.trim();
  return trimmed.length > chars ? `…${trimmed.slice(-chars)}` : trimmed;
}

/** Mounts a zip's files under `mountPoint`: text in one `mount`, binary files (WebAssembly, data) by `writeFile`, which transfers bytes as they are. */
async function mountZip(container: WebContainer, zip: Uint8Array, mountPoint: string): Promise<void> {
  const { unzipSync } = await import('fflate');
  const entries = unzipSync(zip);
  const tree: FileSystemTree = {};
  const binary: [string, Uint8Array][] = [];
  const decoder = new TextDecoder('utf-8', { fatal: true });
  for (const [path, bytes] of Object.entries(entries)) {
    if (path.endsWith('/')) continue;
    let text: string | undefined;
    try {
      text = decoder.decode(bytes);
    } catch {
      binary.push([path, bytes]);
      continue;
    }
    placeInTree(tree, path, text);
  }
  await container.fs.mkdir(mountPoint, { recursive: true });
  await container.mount(tree, { mountPoint });
  for (const [path, bytes] of binary) {
    const target = `${mountPoint}/${path}`;
    await container.fs.mkdir(target.slice(0, target.lastIndexOf('/')), { recursive: true });
    await container.fs.writeFile(target, bytes);
  }
}

function placeInTree(tree: FileSystemTree, path: string, contents: string): void {
  const segments = path.split('/');
  let folder = tree;
  for (const segment of segments.slice(0, -1)) {
    const existing = folder[segment];
    if (existing && 'directory' in existing) folder = existing.directory;
    else {
      const directory: FileSystemTree = {};
      folder[segment] = { directory };
      folder = directory;
    }
  }
  folder[segments.at(-1) as string] = { file: { contents } };
}

/** Writes the learner's files under `dir`, creating folders as needed. */
async function writeFiles(container: WebContainer, dir: string, files: Record<string, string>): Promise<void> {
  await container.fs.mkdir(dir, { recursive: true });
  for (const [path, text] of Object.entries(files)) {
    // The page's own files, but a path still must not leave the app folder.
    if (path.startsWith('/') || path.split('/').includes('..')) throw new Error(`refused to write ${path} outside the app folder`);
    const target = `${dir}/${path}`;
    const parent = target.slice(0, target.lastIndexOf('/'));
    if (parent !== dir) await container.fs.mkdir(parent, { recursive: true });
    await container.fs.writeFile(target, text);
  }
}

function megabytes(bytes: number): string {
  return (bytes / 1024 / 1024).toFixed(1);
}

function delay(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer);
        reject(signal.reason);
      },
      { once: true },
    );
  });
}

async function withTimeout<T>(promise: Promise<T>, ms: number, error: () => Error): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(error()), ms)));
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function settle(promise: Promise<unknown>): Promise<void> {
  await Promise.race([promise.catch(() => undefined), delay(200)]);
}

async function settleWithin<T>(promise: Promise<T> | undefined, ms: number): Promise<T | undefined> {
  if (!promise) return undefined;
  return Promise.race([promise.catch(() => undefined), delay(ms).then(() => undefined)]);
}
