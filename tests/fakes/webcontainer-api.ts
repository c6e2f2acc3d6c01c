import type { BootOptions, FileSystemTree, SpawnOptions } from '@webcontainer/api';

/**
 * A fake of `@webcontainer/api` 1.6 for unit tests, faithful to the published API and to what
 * its dist/index.js does where that matters to a caller:
 * - `WebContainer.boot()` takes a lock, refuses a second live instance ("Only a single WebContainer
 *   instance can be booted"), validates `workdirName`, and can be told to hang forever (what the
 *   real one does offline) or to fail;
 * - `fs` behaves like `fs.promises` scoped to the workdir (ENOENT, EEXIST, parents must exist);
 * - `mount(tree, { mountPoint })` accepts string and binary contents;
 * - `spawn(command, args?, options?)` returns a process with an `output` ReadableStream<string>
 *   (terminal output: `\n` becomes `\r\n`), an `input` WritableStream<string>, an `exit` promise,
 *   `kill()` and `resize()`; an unknown command prints "command not found" and exits 127 as jsh does;
 * - `on('port' | 'server-ready' | 'error', listener)` returns an unsubscribe function;
 * - `teardown()` makes the instance unusable and frees the slot; twice throws.
 * What runs inside is a `FakeProgram` a test registers by command name.
 */

export interface FakeProgramContext {
  command: string;
  args: string[];
  /** Folder the process runs in, relative to the workdir ('' for the workdir). */
  cwd: string;
  env: Record<string, string | number | boolean>;
  terminal: { cols: number; rows: number } | undefined;
  fs: FakeFileSystem;
  /** Writes to the process's terminal output. */
  print(text: string): void;
  /** Lines or keystrokes written to the process's `input`. */
  input(): Promise<string | undefined>;
  /** Aborted by `kill()` or teardown. */
  signal: AbortSignal;
  /** Opens a port: fires `port` and `server-ready`; requests reach `handler` through `fake.network`. */
  listen(port: number, handler: FakeHttpHandler): void;
  resizes: { cols: number; rows: number }[];
}

export type FakeHttpHandler = (request: { method: string; path: string; headers: Record<string, string>; body?: string }) => Promise<FakeHttpResponse> | FakeHttpResponse;
export interface FakeHttpResponse {
  status: number;
  headers?: Record<string, string>;
  body?: string;
}

/** What a command does; its return value is the exit code. */
export type FakeProgram = (context: FakeProgramContext) => Promise<number> | number;

export interface SpawnRecord {
  command: string;
  args: string[];
  options: SpawnOptions | undefined;
}

/** The test's handle on the fake: how boot behaves, what programs exist, what happened. */
export const fake = {
  boot: 'resolve' as 'resolve' | 'hang' | 'reject',
  bootError: 'Failed to boot',
  bootDelayMs: 0,
  bootCalls: 0,
  bootOptions: [] as (BootOptions | undefined)[],
  programs: new Map<string, FakeProgram>(),
  spawns: [] as SpawnRecord[],
  mounts: [] as { mountPoint: string | undefined; paths: string[] }[],
  /** Open ports of the live instance. */
  network: new Map<number, FakeHttpHandler>(),
  teardowns: 0,
  instance: undefined as FakeWebContainer | undefined,
  reset(): void {
    fake.boot = 'resolve';
    fake.bootError = 'Failed to boot';
    fake.bootDelayMs = 0;
    fake.bootCalls = 0;
    fake.bootOptions = [];
    fake.programs = new Map();
    fake.spawns = [];
    fake.mounts = [];
    fake.network = new Map();
    fake.teardowns = 0;
    fake.instance?.forceTeardown();
    fake.instance = undefined;
    bootLock = null;
    liveInstance = null;
  },
};

function fsError(code: 'ENOENT' | 'EEXIST' | 'EISDIR' | 'ENOTDIR' | 'ENOTEMPTY', syscall: string, path: string): Error {
  const text = { ENOENT: 'no such file or directory', EEXIST: 'file already exists', EISDIR: 'illegal operation on a directory', ENOTDIR: 'not a directory', ENOTEMPTY: 'directory not empty' }[code];
  return Object.assign(new Error(`${code}: ${text}, ${syscall} '${path}'`), { code });
}

/** `fs.promises`, scoped to the workdir, in memory. */
export class FakeFileSystem {
  readonly files = new Map<string, Uint8Array>();
  readonly dirs = new Set<string>(['']);
  readonly workdir: string;
  #alive: () => void;

  constructor(workdir: string, alive: () => void) {
    this.workdir = workdir;
    this.#alive = alive;
  }

  /** Workdir-relative, normalised: '' is the workdir itself. */
  key(path: string): string {
    let relative = path.startsWith(this.workdir) ? path.slice(this.workdir.length) : path;
    if (relative.startsWith('/') && !path.startsWith(this.workdir)) throw fsError('ENOENT', 'open', path);
    const segments: string[] = [];
    for (const segment of relative.split('/')) {
      if (segment === '' || segment === '.') continue;
      if (segment === '..') segments.pop();
      else segments.push(segment);
    }
    return segments.join('/');
  }

  #parent(key: string): string {
    return key.includes('/') ? key.slice(0, key.lastIndexOf('/')) : '';
  }

  async readFile(path: string, encoding?: string | null): Promise<any> {
    this.#alive();
    const key = this.key(path);
    if (this.dirs.has(key)) throw fsError('EISDIR', 'read', path);
    const bytes = this.files.get(key);
    if (!bytes) throw fsError('ENOENT', 'open', path);
    return encoding ? new TextDecoder().decode(bytes) : bytes.slice();
  }

  async writeFile(path: string, data: string | Uint8Array): Promise<void> {
    this.#alive();
    const key = this.key(path);
    if (this.dirs.has(key)) throw fsError('EISDIR', 'open', path);
    if (!this.dirs.has(this.#parent(key))) throw fsError('ENOENT', 'open', path);
    this.files.set(key, typeof data === 'string' ? new TextEncoder().encode(data) : data.slice());
  }

  async mkdir(path: string, options?: { recursive?: boolean }): Promise<any> {
    this.#alive();
    const key = this.key(path);
    if (this.files.has(key)) throw fsError('EEXIST', 'mkdir', path);
    if (!options?.recursive) {
      if (this.dirs.has(key)) throw fsError('EEXIST', 'mkdir', path);
      if (!this.dirs.has(this.#parent(key))) throw fsError('ENOENT', 'mkdir', path);
      this.dirs.add(key);
      return undefined;
    }
    let first: string | undefined;
    const segments = key.split('/');
    for (let index = 1; index <= segments.length; index++) {
      const dir = segments.slice(0, index).join('/');
      if (this.files.has(dir)) throw fsError('ENOTDIR', 'mkdir', path);
      if (!this.dirs.has(dir)) {
        this.dirs.add(dir);
        first ??= `${this.workdir}/${dir}`;
      }
    }
    return first;
  }

  async readdir(path: string): Promise<any> {
    this.#alive();
    const key = this.key(path);
    if (!this.dirs.has(key)) throw fsError(this.files.has(key) ? 'ENOTDIR' : 'ENOENT', 'scandir', path);
    const prefix = key === '' ? '' : `${key}/`;
    const names = new Set<string>();
    for (const entry of [...this.files.keys(), ...this.dirs]) {
      if (entry !== key && entry.startsWith(prefix)) names.add(entry.slice(prefix.length).split('/')[0] as string);
    }
    return [...names].sort();
  }

  async rm(path: string, options?: { force?: boolean; recursive?: boolean }): Promise<void> {
    this.#alive();
    const key = this.key(path);
    if (this.files.delete(key)) return;
    if (!this.dirs.has(key)) {
      if (options?.force) return;
      throw fsError('ENOENT', 'rm', path);
    }
    if (!options?.recursive) throw fsError('EISDIR', 'rm', path);
    for (const file of [...this.files.keys()]) if (file.startsWith(`${key}/`)) this.files.delete(file);
    for (const dir of [...this.dirs]) if (dir === key || dir.startsWith(`${key}/`)) this.dirs.delete(dir);
    this.dirs.add('');
  }

  async rename(from: string, to: string): Promise<void> {
    this.#alive();
    const source = this.key(from);
    const target = this.key(to);
    const bytes = this.files.get(source);
    if (!bytes) throw fsError('ENOENT', 'rename', from);
    if (!this.dirs.has(this.#parent(target))) throw fsError('ENOENT', 'rename', to);
    this.files.delete(source);
    this.files.set(target, bytes);
  }

  watch(): never {
    throw new Error('fs.watch is not part of the fake');
  }

  /** Test helper: a file's text, or undefined. */
  text(path: string): string | undefined {
    const bytes = this.files.get(this.key(path));
    return bytes ? new TextDecoder().decode(bytes) : undefined;
  }
}

type Listener = (...args: any[]) => void;

let bootLock: Promise<unknown> | null = null;
let liveInstance: FakeWebContainer | null = null;

class FakeProcess {
  readonly output: ReadableStream<string>;
  readonly input: WritableStream<string>;
  readonly exit: Promise<number>;
  readonly controller = new AbortController();
  readonly resizes: { cols: number; rows: number }[] = [];

  constructor(container: FakeWebContainer, command: string, args: string[], options: SpawnOptions | undefined) {
    let push: (text: string) => void = () => {};
    let close: () => void = () => {};
    this.output = new ReadableStream<string>({
      start(streamController) {
        push = (text) => {
          try {
            if (options?.output !== false) streamController.enqueue(text);
          } catch {
            // the stream was closed or cancelled
          }
        };
        close = () => {
          try {
            streamController.close();
          } catch {
            // already closed
          }
        };
      },
    });
    const queue: string[] = [];
    const waiting: ((value: string | undefined) => void)[] = [];
    this.input = new WritableStream<string>({
      write(chunk) {
        const waiter = waiting.shift();
        if (waiter) waiter(chunk);
        else queue.push(chunk);
      },
    });
    const program = fake.programs.get(command);
    const ports: number[] = [];
    const context: FakeProgramContext = {
      command,
      args,
      cwd: container.fs.key(options?.cwd ?? ''),
      env: { ...options?.env },
      terminal: options?.terminal,
      fs: container.fs,
      // A pseudo-terminal turns \n into \r\n.
      print: (text) => push(text.replace(/\r?\n/g, '\r\n')),
      input: () => (queue.length > 0 ? Promise.resolve(queue.shift()) : new Promise((resolve) => waiting.push(resolve))),
      signal: this.controller.signal,
      listen: (port, handler) => {
        ports.push(port);
        fake.network.set(port, handler);
        const url = `https://fake${port}.local-credentialless.webcontainer-api.io`;
        container.emit('port', port, 'open', url);
        container.emit('server-ready', port, url);
      },
      resizes: this.resizes,
    };
    const run = async (): Promise<number> => {
      if (!program) {
        context.print(`jsh: command not found: ${command}\n`);
        return 127;
      }
      return program(context);
    };
    const killed = new Promise<number>((resolve) => this.controller.signal.addEventListener('abort', () => resolve(130), { once: true }));
    this.exit = Promise.race([run().catch((error: unknown) => (context.print(`${error instanceof Error ? error.stack : String(error)}\n`), 1)), killed]).then((code) => {
      for (const port of ports) {
        fake.network.delete(port);
        container.emit('port', port, 'close', '');
      }
      this.controller.abort();
      close();
      for (const waiter of waiting.splice(0)) waiter(undefined);
      return code;
    });
  }

  kill(): void {
    this.controller.abort();
  }

  resize(dimensions: { cols: number; rows: number }): void {
    this.resizes.push(dimensions);
  }
}

export class FakeWebContainer {
  readonly fs: FakeFileSystem;
  readonly #listeners = new Map<string, Set<Listener>>();
  readonly processes: FakeProcess[] = [];
  #tornDown = false;
  readonly #workdir: string;

  constructor(workdirName: string) {
    this.#workdir = `/home/${workdirName}`;
    this.fs = new FakeFileSystem(this.#workdir, () => this.#assertAlive());
  }

  #assertAlive(): void {
    if (this.#tornDown) throw new Error('WebContainer has been torn down');
  }

  get workdir(): string {
    return this.#workdir;
  }

  get path(): string {
    return '/usr/local/bin:/usr/bin:/bin';
  }

  async spawn(command: string, optionsOrArgs?: string[] | SpawnOptions, options?: SpawnOptions): Promise<FakeProcess> {
    this.#assertAlive();
    let args: string[] = [];
    if (Array.isArray(optionsOrArgs)) args = optionsOrArgs;
    else options = optionsOrArgs;
    if (options?.cwd !== undefined && !this.fs.dirs.has(this.fs.key(options.cwd))) {
      throw new Error(`ENOENT: no such file or directory, chdir '${options.cwd}'`);
    }
    fake.spawns.push({ command, args, options });
    const process = new FakeProcess(this, command, args, options);
    this.processes.push(process);
    return process;
  }

  on(event: string, listener: Listener): () => void {
    this.#assertAlive();
    const set = this.#listeners.get(event) ?? new Set();
    set.add(listener);
    this.#listeners.set(event, set);
    return () => set.delete(listener);
  }

  emit(event: string, ...args: unknown[]): void {
    for (const listener of this.#listeners.get(event) ?? []) listener(...args);
  }

  async mount(tree: FileSystemTree | Uint8Array | ArrayBuffer, options?: { mountPoint?: string }): Promise<void> {
    this.#assertAlive();
    if (tree instanceof Uint8Array || tree instanceof ArrayBuffer) throw new Error('binary snapshots are not part of the fake');
    const base = this.fs.key(options?.mountPoint ?? '');
    if (!this.fs.dirs.has(base)) throw new Error(`ENOENT: no such file or directory, mount point '${options?.mountPoint}'`);
    const paths: string[] = [];
    const place = (folder: FileSystemTree, prefix: string) => {
      for (const [name, node] of Object.entries(folder)) {
        if (name.includes('/') || name === '..' || name === '.') throw new Error(`invalid file name in a mounted tree: ${name}`);
        const key = prefix ? `${prefix}/${name}` : name;
        if ('directory' in node) {
          this.fs.dirs.add(key);
          place(node.directory, key);
        } else if ('contents' in node.file) {
          const contents = node.file.contents;
          if (typeof contents !== 'string' && !(contents instanceof Uint8Array)) throw new Error(`file contents must be a string or a Uint8Array: ${key}`);
          this.fs.files.set(key, typeof contents === 'string' ? new TextEncoder().encode(contents) : contents.slice());
          paths.push(key);
        } else {
          throw new Error('symlinks are not part of the fake');
        }
      }
    };
    place(tree, base);
    fake.mounts.push({ mountPoint: options?.mountPoint, paths });
  }

  async setPreviewScript(): Promise<void> {}

  async export(): Promise<never> {
    throw new Error('export is not part of the fake');
  }

  teardown(): void {
    if (this.#tornDown) throw new Error('WebContainer already torn down');
    this.forceTeardown();
  }

  forceTeardown(): void {
    if (this.#tornDown) return;
    this.#tornDown = true;
    fake.teardowns++;
    for (const process of this.processes) process.kill();
    this.#listeners.clear();
    fake.network.clear();
    if (liveInstance === this) liveInstance = null;
  }

  get tornDown(): boolean {
    return this.#tornDown;
  }

  static async boot(options: BootOptions = {}): Promise<FakeWebContainer> {
    const { workdirName } = options;
    if (workdirName?.includes('/') || workdirName === '..' || workdirName === '.') throw new Error('workdirName should be a valid folder name');
    while (bootLock) await bootLock;
    if (liveInstance) throw new Error('Only a single WebContainer instance can be booted');
    fake.bootCalls++;
    fake.bootOptions.push(options);
    const booting = (async () => {
      if (fake.boot === 'hang') await new Promise(() => {});
      if (fake.bootDelayMs > 0) await new Promise((resolve) => setTimeout(resolve, fake.bootDelayMs));
      if (fake.boot === 'reject') throw new Error(fake.bootError);
      return new FakeWebContainer(workdirName ?? 'project');
    })();
    bootLock = booting.catch(() => undefined);
    try {
      const instance = await booting;
      liveInstance = instance;
      fake.instance = instance;
      return instance;
    } finally {
      bootLock = null;
    }
  }
}

/** The module shape `import('@webcontainer/api')` gives, for the runner's `loadApi`. */
export const fakeApi = { WebContainer: FakeWebContainer };
