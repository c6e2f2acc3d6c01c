import { posix } from 'node:path';
import type { Arg, Dockerfile, Env, Flag, From, Healthcheck, Instruction, ModifiableInstruction } from 'dockerfile-ast';
import { type BaseImage, type ImageReference, describeBaseImage, parseImageReference, unknownBase } from './base-images.ts';
import { type Dockerignore, DockerignoreSyntaxError, compilePattern, noDockerignore, parseDockerignore } from './ignore.ts';
import { type SimpleCommand, splitShell } from './shell.ts';

/**
 * A Dockerfile read the way `docker build` would run it, without running it: each stage is
 * played instruction by instruction over a model of its filesystem, so the rules can ask what
 * reaches the final image (which files, which `node_modules`, which user, which command) and
 * where it came from, through `FROM <stage>` and `COPY --from`.
 */

/** Where a file in an image came from, and the instructions that carried it there. */
export interface Origin {
  kind: 'context' | 'deps' | 'created';
  /** For `context`: the file's path in the build context. */
  contextPath?: string;
  /** For `deps`: the install that produced this `node_modules`. */
  install?: InstallEvent;
  /** 1-based lines of the instructions that brought it here, first to last. */
  lines: number[];
}

export interface Setting {
  value: string;
  line: number;
}

export interface UserSetting extends Setting {
  /** True when no USER instruction set it: it is the base image's default. */
  inherited: boolean;
}

export interface CommandForm {
  keyword: string;
  form: 'exec' | 'shell';
  /** The JSON array of an exec-form command. */
  argv: string[];
  /** The command as written (without the keyword). */
  text: string;
  line: number;
  /** Written like a JSON array but not valid JSON, so Docker ran it as a shell command. */
  malformedJson: boolean;
  /** Set by the base image rather than by this Dockerfile. */
  inherited: boolean;
}

export interface HealthcheckSetting {
  line: number;
  none: boolean;
  command: CommandForm | null;
}

export interface Exposed {
  port: number;
  /** Last port of a range such as `3000-3005`. */
  to: number;
  text: string;
  line: number;
}

export interface InstallEvent {
  line: number;
  stage: Stage;
  /** `npm ci`, `npm install`, `yarn install`, `pnpm install`. */
  tool: string;
  command: string;
  /** Folder the packages went into (its `node_modules`). */
  dir: string;
  /** Whether devDependencies were installed. */
  dev: boolean;
  /** Why devDependencies were left out, when they were (`--omit=dev`, `NODE_ENV=production`). */
  omitReason: string | null;
  /** Line of an `npm prune --omit=dev` that removed them afterwards. */
  prunedAt: number | null;
  /** Whether `package.json` and the lock file were in place (copied or bind-mounted). */
  manifests: { packageJson: boolean; lockFile: boolean; mounted: boolean };
  /** A source file (not a manifest) already in the image when the install ran. */
  sourceBefore: { path: string; line: number } | null;
  /** Packages named on the command line (`npm install express`), which bypass the lock file. */
  packages: string[];
}

export interface ImageState {
  workdir: string;
  workdirLine: number | null;
  env: Map<string, Setting>;
  user: UserSetting;
  entrypoint: CommandForm | null;
  cmd: CommandForm | null;
  healthcheck: HealthcheckSetting | null;
  exposes: Exposed[];
  /** Absolute path in the image -> where it came from. */
  files: Map<string, Origin>;
  /** Programs installed by `apk add` / `apt-get install` on top of the base image. */
  tools: Set<string>;
  /** Users created by `adduser` / `useradd`. */
  users: Set<string>;
}

export interface Stage {
  index: number;
  /** The `AS` name, lowercased as Docker does. */
  name: string | null;
  /** Line of its FROM. */
  line: number;
  /** What FROM names after expanding build arguments. */
  fromText: string;
  /** The external image it starts from (null for `FROM <stage>`). */
  image: ImageReference | null;
  /** The stage it continues (`FROM build AS final`). */
  parent: Stage | null;
  /** The external image at the root of its FROM chain. */
  base: BaseImage;
  instructions: Instruction[];
  state: ImageState;
  installs: InstallEvent[];
}

export interface VariableDefinition {
  keyword: 'ENV' | 'ARG';
  name: string;
  value: string | null;
  line: number;
  stage: Stage | null;
}

export interface CopyRecord {
  keyword: 'COPY' | 'ADD';
  line: number;
  stage: Stage;
  sources: string[];
  dest: string;
  from: string | null;
  /** Sources that matched nothing (Docker fails the build on them). */
  missing: string[];
  /** Whether it copied from the build context. */
  fromContext: boolean;
  /** The relative destination landed under `/` because no WORKDIR was set. */
  intoRoot: boolean;
}

export interface AppFacts {
  /** Port the app listens on when `portVariable` is not set. */
  port: number;
  /** Environment variable the app reads its port from. */
  portVariable: string;
  /** Path that answers the health check. */
  healthPath: string;
  /** The server's entry file in the context, as `npm start` runs it. */
  entry: string | null;
  dependencies: string[];
  devDependencies: string[];
}

export interface BuildContext {
  /** Every file in the context folder, including the virtual `node_modules/` and `.git/`. */
  files: string[];
  /** Files the grader adds to stand for a developer's folder (never shown to the learner). */
  virtual: ReadonlySet<string>;
  /** The `.dockerignore` text, or null when there is none. */
  ignoreText: string | null;
  ignore: Dockerignore;
  /** Files that are sent to the builder (not excluded). */
  sent: Map<string, true>;
}

export interface DockerfileModel {
  file: string;
  text: string;
  ast: Dockerfile;
  stages: Stage[];
  final: Stage;
  /** ARGs declared before the first FROM, with their defaults. */
  globalArgs: Map<string, string | null>;
  variables: VariableDefinition[];
  copies: CopyRecord[];
  /** Installs run with the working directory at `/`. */
  rootInstalls: InstallEvent[];
  context: BuildContext;
  app: AppFacts;
}

/** The folders a developer's checkout holds that the exercise's context does not show. */
export function virtualContextFiles(app: AppFacts): string[] {
  return [
    'node_modules/.package-lock.json',
    ...app.dependencies.map((name) => `node_modules/${name}/package.json`),
    ...app.devDependencies.map((name) => `node_modules/${name}/package.json`),
    '.git/HEAD',
    '.git/config',
  ];
}

export function buildContext(files: readonly string[], virtual: readonly string[], ignoreText: string | null): BuildContext {
  const ignore = ignoreText === null ? noDockerignore : parseDockerignore(ignoreText);
  const all = [...new Set([...files, ...virtual])].sort();
  const sent = new Map<string, true>();
  for (const path of all) if (!ignore.excludes(path)) sent.set(path, true);
  return { files: all, virtual: new Set(virtual), ignoreText, ignore, sent };
}

const lineOf = (instruction: Instruction) => instruction.getRange().start.line + 1;
const manifestNames = new Set(['package.json', 'package-lock.json', 'npm-shrinkwrap.json', '.npmrc']);

/** Expands `$NAME`, `${NAME}`, `${NAME:-default}` and `${NAME:+alternative}` as Docker does. */
export function expandVariables(text: string, variables: ReadonlyMap<string, string | null>): string {
  return text.replace(/\\\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?([-+])([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g, (match, braced?: string, operator?: string, word?: string, bare?: string) => {
    if (match === '\\$') return '$';
    const value = variables.get((braced ?? bare)!) ?? null;
    if (operator === '-') return value ? value : (word ?? '');
    if (operator === '+') return value ? (word ?? '') : '';
    return value ?? '';
  });
}

/** Reads CMD, ENTRYPOINT or a HEALTHCHECK's command: exec form when it is a JSON array of strings. */
export function readCommand(keyword: string, text: string, line: number): CommandForm {
  const trimmed = text.trim();
  if (trimmed.startsWith('[')) {
    try {
      const value: unknown = JSON.parse(trimmed);
      if (Array.isArray(value) && value.every((item) => typeof item === 'string')) {
        return { keyword, form: 'exec', argv: value, text: trimmed, line, malformedJson: false, inherited: false };
      }
    } catch {
      // Docker falls back to the shell form, and so do we.
    }
    return { keyword, form: 'shell', argv: [], text: trimmed, line, malformedJson: true, inherited: false };
  }
  return { keyword, form: 'shell', argv: [], text: trimmed, line, malformedJson: false, inherited: false };
}

const hasGlob = (path: string) => /[*?[]/.test(path);
const under = (path: string, dir: string) => dir === '' || path === dir || path.startsWith(dir + '/');

/**
 * A source tree for COPY: keys are paths relative to its root (context paths, or image paths
 * without the leading `/`).
 */
type Tree = ReadonlyMap<string, Origin | null>;

interface CopyOutcome {
  missing: string[];
  copied: number;
}

/**
 * Copies `sources` of `tree` to `dest` the way COPY does: a file lands at `dest` (or inside it
 * when `dest` is a folder), a folder's contents land inside `dest`, wildcards match files and
 * folders within one segment.
 */
function copyInto(
  tree: Tree,
  sources: string[],
  dest: string,
  workdir: string,
  line: number,
  target: Map<string, Origin>,
  excludes: Dockerignore | null,
  makeOrigin: (key: string, existing: Origin | null) => Origin,
): CopyOutcome {
  const destAbs = posix.resolve(workdir, dest);
  const dirs = new Set<string>();
  for (const key of tree.keys()) {
    const parts = key.split('/');
    for (let index = 1; index < parts.length; index++) dirs.add(parts.slice(0, index).join('/'));
  }
  const targetIsDir = [...target.keys()].some((key) => key.startsWith(destAbs === '/' ? '/' : destAbs + '/'));
  const outcome: CopyOutcome = { missing: [], copied: 0 };
  const put = (key: string, to: string) => {
    if (excludes && excludes.excludes(key)) return;
    target.set(to, makeOrigin(key, tree.get(key) ?? null));
    outcome.copied++;
  };
  for (const raw of sources) {
    const source = cleanKey(raw);
    const matches: { key: string; dir: boolean }[] = [];
    if (hasGlob(source)) {
      let pattern: (path: string) => boolean;
      try {
        pattern = compilePattern(source, line);
      } catch (error) {
        if (!(error instanceof DockerignoreSyntaxError)) throw error;
        throw new DockerignoreSyntaxError(line, `Line ${line}: the source "${raw}" is not a pattern Docker can use (${error.message.replace(/^Line \d+: /, '')})`);
      }
      for (const key of tree.keys()) if (pattern(key)) matches.push({ key, dir: false });
      for (const dir of dirs) if (pattern(dir)) matches.push({ key: dir, dir: true });
    } else if (source === '') {
      matches.push({ key: '', dir: true });
    } else if (tree.has(source)) {
      matches.push({ key: source, dir: false });
    } else if (dirs.has(source)) {
      matches.push({ key: source, dir: true });
    }
    if (matches.length === 0) {
      outcome.missing.push(raw);
      continue;
    }
    const single = sources.length === 1 && matches.length === 1 && !matches[0]!.dir && !hasGlob(source);
    const intoDir = !single || dest.endsWith('/') || dest === '.' || targetIsDir;
    for (const match of matches) {
      if (match.dir) {
        for (const key of tree.keys()) {
          if (!under(key, match.key) || key === match.key) continue;
          const rest = match.key === '' ? key : key.slice(match.key.length + 1);
          put(key, posix.join(destAbs, rest));
        }
      } else {
        put(match.key, intoDir ? posix.join(destAbs, posix.basename(match.key)) : destAbs);
      }
    }
  }
  return outcome;
}

/** A COPY source as a tree key: no leading `/`, cleaned, `''` for the root. */
function cleanKey(path: string): string {
  const cleaned = posix.normalize('/' + path).replace(/^\/+/, '').replace(/\/+$/, '');
  return cleaned === '.' ? '' : cleaned;
}

function cloneState(state: ImageState): ImageState {
  return {
    ...state,
    env: new Map(state.env),
    exposes: [...state.exposes],
    files: new Map(state.files),
    tools: new Set(state.tools),
    users: new Set(state.users),
  };
}

function initialState(base: BaseImage, line: number): ImageState {
  const inherited = (keyword: string, argv: string[] | null): CommandForm | null =>
    argv ? { keyword, form: 'exec', argv, text: JSON.stringify(argv), line, malformedJson: false, inherited: true } : null;
  return {
    workdir: '/',
    workdirLine: null,
    env: new Map(),
    user: { value: base.user, line, inherited: true },
    entrypoint: inherited('ENTRYPOINT', base.entrypoint),
    cmd: inherited('CMD', base.cmd),
    healthcheck: null,
    exposes: [],
    files: new Map(),
    tools: new Set(),
    users: new Set(),
  };
}

function flagsOf(instruction: Instruction): Flag[] {
  const modifiable = instruction as ModifiableInstruction;
  return typeof modifiable.getFlags === 'function' ? modifiable.getFlags() : [];
}

/** Arguments of COPY/ADD: the JSON array when it parses, else the words as written. */
function copyArguments(instruction: Instruction): string[] {
  const content = (instruction.getArgumentsContent() ?? '').trim();
  if (content.startsWith('[')) {
    try {
      const value: unknown = JSON.parse(content);
      if (Array.isArray(value) && value.every((item) => typeof item === 'string')) return value;
    } catch {
      // not JSON: Docker splits on whitespace
    }
  }
  return instruction.getArguments().map((argument) => argument.getValue());
}

/** The commands of a RUN: its JSON array, its here-document, or its shell line. */
function runCommands(instruction: Instruction): SimpleCommand[] {
  const content = (instruction.getArgumentsContent() ?? '').trim();
  if (content.startsWith('[')) {
    try {
      const value: unknown = JSON.parse(content);
      if (Array.isArray(value) && value.every((item) => typeof item === 'string')) {
        const [program, ...rest] = value as string[];
        if ((program === '/bin/sh' || program === 'sh' || program === 'bash' || program === '/bin/bash') && rest[0] === '-c') return splitShell(rest[1] ?? '');
        return [{ assignments: new Map(), argv: value }];
      }
    } catch {
      // shell form
    }
  }
  const heredoc = /^<<-?\s*["']?([A-Za-z_][\w-]*)["']?[^\n]*\n([\s\S]*)$/.exec(content);
  if (heredoc) {
    const [, name, body] = heredoc;
    const lines = body!.split('\n');
    const end = lines.findIndex((candidate) => candidate.trim() === name);
    return splitShell((end === -1 ? lines : lines.slice(0, end)).join('\n'));
  }
  return splitShell(content);
}

/** npm options that take their value as the next word. */
const npmValueOptions = new Set(['--omit', '--only', '--include', '--registry', '--cache', '--loglevel', '--workspace', '-w', '--userconfig', '--install-strategy']);

const valueOptions: Record<string, ReadonlySet<string>> = {
  adduser: new Set(['-h', '-g', '-s', '-G', '-k', '-u', '--home', '--gecos', '--shell', '--ingroup', '--uid', '--gid', '--group', '--firstuid', '--lastuid', '--comment']),
  useradd: new Set(['-b', '-c', '-d', '-e', '-f', '-g', '-G', '-k', '-K', '-p', '-R', '-P', '-s', '-u', '--base-dir', '--comment', '--home-dir', '--expiredate', '--inactive', '--gid', '--groups', '--skel', '--key', '--password', '--root', '--prefix', '--shell', '--uid']),
};

function positionals(args: string[], takesValue: ReadonlySet<string>): string[] {
  const out: string[] = [];
  for (let index = 0; index < args.length; index++) {
    const arg = args[index]!;
    if (arg === '--') {
      out.push(...args.slice(index + 1));
      break;
    }
    if (arg.startsWith('-')) {
      if (takesValue.has(arg)) index++;
      continue;
    }
    out.push(arg);
  }
  return out;
}

/** Whether an npm command line leaves devDependencies out, and why. */
function omitsDev(args: string[], env: ReadonlyMap<string, string | null>, envLines: ReadonlyMap<string, number>): string | null {
  let include = false;
  let omit: string | null = null;
  for (let index = 0; index < args.length; index++) {
    const arg = args[index]!;
    const next = args[index + 1];
    const value = arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : next;
    if (arg.startsWith('--omit') && value?.split(',').includes('dev')) omit = arg.includes('=') ? arg : `${arg} ${value}`;
    else if (arg.startsWith('--only') && /^prod/.test(value ?? '')) omit = arg.includes('=') ? arg : `${arg} ${value}`;
    else if (arg === '--production' || arg === '--production=true') omit = arg;
    else if (arg.startsWith('--include') && value?.split(',').includes('dev')) include = true;
    else if (arg === '--production=false') include = true;
  }
  if (include) return null;
  if (omit) return omit;
  const where = (name: string) => (envLines.has(name) ? ` (line ${envLines.get(name)})` : '');
  for (const [name, value] of env) {
    const upper = name.toUpperCase();
    if (name === 'NODE_ENV' && value === 'production') return `NODE_ENV=production${where(name)}`;
    if (upper === 'NPM_CONFIG_OMIT' && value?.split(',').includes('dev')) return `${name}=${value}${where(name)}`;
    if (upper === 'NPM_CONFIG_PRODUCTION' && value === 'true') return `${name}=true${where(name)}`;
  }
  return null;
}

export interface ModelOptions {
  file: string;
  app: AppFacts;
  context: BuildContext;
}

/** Plays every stage of a parsed Dockerfile. The text must already have passed the syntax gate. */
export function buildModel(text: string, ast: Dockerfile, options: ModelOptions): DockerfileModel {
  const { context, app } = options;
  const globalArgs = new Map<string, string | null>();
  const variables: VariableDefinition[] = [];
  const copies: CopyRecord[] = [];
  const rootInstalls: InstallEvent[] = [];
  const stages: Stage[] = [];

  // Split the instructions into stages at each FROM; ARGs before the first FROM are global.
  const groups: { from: From; rest: Instruction[] }[] = [];
  for (const instruction of ast.getInstructions()) {
    const keyword = instruction.getKeyword();
    if (keyword === 'FROM') groups.push({ from: instruction as From, rest: [] });
    else if (groups.length > 0) groups[groups.length - 1]!.rest.push(instruction);
    else if (keyword === 'ARG') {
      const property = (instruction as Arg).getProperty();
      if (property) {
        const value = property.getValue();
        globalArgs.set(property.getName(), value === null ? null : expandVariables(value, globalArgs));
        variables.push({ keyword: 'ARG', name: property.getName(), value, line: lineOf(instruction), stage: null });
      }
    }
  }

  const findStage = (reference: string): Stage | null => {
    if (/^\d+$/.test(reference)) return stages[Number(reference)] ?? null;
    return stages.find((stage) => stage.name === reference.toLowerCase()) ?? null;
  };
  const contextTree: Map<string, Origin | null> = new Map([...context.sent.keys()].map((path) => [path, null]));
  const stageTree = (stage: Stage): Map<string, Origin | null> => new Map([...stage.state.files].map(([path, origin]) => [path.slice(1), origin]));

  groups.forEach(({ from, rest }, index) => {
    const line = lineOf(from);
    const args = from.getArguments().map((argument) => argument.getValue());
    const fromText = expandVariables(args[0] ?? '', globalArgs);
    const name = args.length >= 3 && args[1]?.toLowerCase() === 'as' ? (args[2] ?? '').toLowerCase() : null;
    const parent = findStage(fromText);
    const image = parent ? null : parseImageReference(fromText);
    const base = parent ? parent.base : image ? describeBaseImage(image) : unknownBase;
    const stage: Stage = {
      index,
      name,
      line,
      fromText,
      image,
      parent,
      base,
      instructions: rest,
      state: parent ? cloneState(parent.state) : initialState(base, line),
      installs: [],
    };
    const state = stage.state;
    // Build arguments do not cross stages; ENV does, through FROM <stage>.
    const vars = new Map<string, string | null>([...state.env].map(([key, setting]) => [key, setting.value]));
    const varLines = new Map<string, number>([...state.env].map(([key, setting]) => [key, setting.line]));
    let cmdSetHere = false;

    for (const instruction of rest) {
      const keyword = instruction.getKeyword();
      const at = lineOf(instruction);
      switch (keyword) {
        case 'ARG': {
          const property = (instruction as Arg).getProperty();
          if (!property) break;
          const raw = property.getValue();
          const value = raw === null ? (globalArgs.get(property.getName()) ?? null) : expandVariables(raw, vars);
          vars.set(property.getName(), value);
          varLines.set(property.getName(), at);
          variables.push({ keyword: 'ARG', name: property.getName(), value: raw, line: at, stage });
          break;
        }
        case 'ENV': {
          for (const property of (instruction as Env).getProperties()) {
            const raw = property.getValue();
            const value = expandVariables(raw ?? '', vars);
            state.env.set(property.getName(), { value, line: at });
            vars.set(property.getName(), value);
            varLines.set(property.getName(), at);
            variables.push({ keyword: 'ENV', name: property.getName(), value: raw, line: at, stage });
          }
          break;
        }
        case 'WORKDIR': {
          const path = expandVariables((instruction.getArgumentsContent() ?? '').trim(), vars);
          if (path) {
            state.workdir = posix.resolve(state.workdir, path);
            state.workdirLine = at;
          }
          break;
        }
        case 'USER':
          state.user = { value: expandVariables((instruction.getArgumentsContent() ?? '').trim(), vars), line: at, inherited: false };
          break;
        case 'EXPOSE':
          for (const argument of instruction.getArguments()) {
            const text = expandVariables(argument.getValue(), vars);
            const match = /^(\d+)(?:-(\d+))?(?:\/\w+)?$/.exec(text);
            if (match) state.exposes.push({ port: Number(match[1]), to: Number(match[2] ?? match[1]), text, line: at });
          }
          break;
        case 'CMD':
          state.cmd = readCommand('CMD', instruction.getArgumentsContent() ?? '', at);
          cmdSetHere = true;
          break;
        case 'ENTRYPOINT':
          state.entrypoint = readCommand('ENTRYPOINT', instruction.getArgumentsContent() ?? '', at);
          // Docker resets a CMD inherited from the base image when ENTRYPOINT is set.
          if (!cmdSetHere) state.cmd = null;
          break;
        case 'HEALTHCHECK': {
          const subcommand = (instruction as Healthcheck).getSubcommand()?.getValue().toUpperCase();
          const content = (instruction.getArgumentsContent() ?? '').trim().replace(/^\S+\s*/, '');
          state.healthcheck = subcommand === 'NONE' ? { line: at, none: true, command: null } : { line: at, none: false, command: readCommand('HEALTHCHECK', content, at) };
          break;
        }
        case 'COPY':
        case 'ADD': {
          const flags = flagsOf(instruction);
          const fromFlag = flags.find((flag) => flag.getName() === 'from')?.getValue() ?? null;
          const excludePatterns = flags.filter((flag) => flag.getName() === 'exclude').map((flag) => flag.getValue() ?? '');
          let excludes: Dockerignore | null = null;
          try {
            if (excludePatterns.length > 0) excludes = parseDockerignore(excludePatterns.join('\n'));
          } catch (error) {
            if (!(error instanceof DockerignoreSyntaxError)) throw error;
            throw new DockerignoreSyntaxError(at, `Line ${at}: an --exclude pattern is not one Docker can use (${error.message.replace(/^Line \d+:? /, '')})`);
          }
          const content = (instruction.getArgumentsContent() ?? '').trim();
          let sources: string[];
          let dest: string;
          if (content.startsWith('<<')) {
            // A here-document: the file is written by the Dockerfile itself.
            const firstLine = content.split('\n')[0] ?? '';
            dest = expandVariables(firstLine.split(/\s+/).filter((word) => !word.startsWith('<<')).pop() ?? '.', vars);
            sources = [];
            state.files.set(posix.resolve(state.workdir, dest), { kind: 'created', lines: [at] });
          } else {
            const words = copyArguments(instruction).map((word) => expandVariables(word, vars));
            dest = words.pop() ?? '.';
            sources = words;
          }
          const record: CopyRecord = {
            keyword,
            line: at,
            stage,
            sources,
            dest,
            from: fromFlag,
            missing: [],
            fromContext: fromFlag === null,
            intoRoot: !dest.startsWith('/') && state.workdirLine === null && state.workdir === '/',
          };
          copies.push(record);
          if (sources.length === 0) break;
          const remote = sources.filter((source) => /^[a-z][a-z0-9+.-]*:\/\//i.test(source) || source.startsWith('git@'));
          const local = sources.filter((source) => !remote.includes(source));
          for (const source of remote) {
            state.files.set(posix.resolve(state.workdir, dest.endsWith('/') ? posix.join(dest, posix.basename(source)) : dest), { kind: 'created', lines: [at] });
          }
          if (local.length === 0) break;
          if (fromFlag !== null) {
            const source = findStage(fromFlag);
            if (!source) {
              // An external image: its files are unknown to the grader.
              state.files.set(posix.resolve(state.workdir, dest), { kind: 'created', lines: [at] });
              break;
            }
            const outcome = copyInto(stageTree(source), local, dest, state.workdir, at, state.files, excludes, (_key, existing) => ({
              ...(existing ?? { kind: 'created', lines: [] }),
              lines: [...(existing?.lines ?? []), at],
            }));
            record.missing = outcome.missing;
          } else {
            const outcome = copyInto(contextTree, local, dest, state.workdir, at, state.files, excludes, (key) => ({ kind: 'context', contextPath: key, lines: [at] }));
            record.missing = outcome.missing;
          }
          break;
        }
        case 'RUN':
          runInstruction(instruction, at);
          break;
        default:
          break;
      }
    }

    function runInstruction(instruction: Instruction, at: number) {
      // Bind mounts make files visible to this RUN only.
      const overlay = new Map<string, Origin>();
      let mounted = false;
      for (const flag of flagsOf(instruction)) {
        if (flag.getName() !== 'mount') continue;
        const options = new Map(flag.getOptions().map((option) => [option.getName(), option.getValue() ?? '']));
        const type = options.get('type') ?? 'bind';
        if (type !== 'bind') continue;
        const source = options.get('source') ?? options.get('src') ?? '.';
        const target = options.get('target') ?? options.get('dst') ?? options.get('destination') ?? '.';
        const from = options.get('from');
        const stageSource = from ? findStage(from) : null;
        if (from && !stageSource) continue;
        copyInto(stageSource ? stageTree(stageSource) : contextTree, [source], target, state.workdir, at, overlay, null, (key, existing) =>
          stageSource ? { ...(existing ?? { kind: 'created', lines: [] }), lines: [...(existing?.lines ?? []), at] } : { kind: 'context', contextPath: key, lines: [at] },
        );
        mounted = true;
      }
      const env = new Map(vars);
      const envLines = new Map(varLines);
      let cwd = state.workdir;
      const text = (instruction.getArgumentsContent() ?? '').trim();
      for (const command of runCommands(instruction)) {
        if (command.argv.length === 0) {
          for (const [name, value] of command.assignments) {
            env.set(name, value);
            envLines.set(name, at);
          }
          continue;
        }
        const localEnv = new Map(env);
        for (const [name, value] of command.assignments) localEnv.set(name, value);
        const [program, ...args] = command.argv as [string, ...string[]];
        switch (posix.basename(program)) {
          case 'cd':
            cwd = posix.resolve(cwd, args[0] ?? '/root');
            break;
          case 'export':
            for (const arg of args) {
              const match = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/s.exec(arg);
              if (match) {
                env.set(match[1]!, match[2]!);
                envLines.set(match[1]!, at);
              }
            }
            break;
          case 'npm':
            npm(args, localEnv, envLines, cwd, at, text, overlay, mounted);
            break;
          case 'yarn':
          case 'pnpm':
            if (args.length === 0 || args[0] === 'install' || args[0] === 'i') {
              install(`${posix.basename(program)} install`, cwd, at, text, overlay, mounted, true, null, [], true);
            }
            break;
          case 'apk':
            if (args.includes('add')) for (const tool of positionals(args.slice(args.indexOf('add') + 1), new Set(['-X', '--repository', '-t', '--virtual']))) state.tools.add(tool);
            break;
          case 'apt-get':
          case 'apt':
            if (args.includes('install')) for (const tool of positionals(args.slice(args.indexOf('install') + 1), new Set(['-o', '-t']))) state.tools.add(tool);
            break;
          case 'adduser':
          case 'useradd':
            for (const user of positionals(args, valueOptions[posix.basename(program)]!)) state.users.add(user);
            break;
          case 'rm':
            if (args.some((arg) => /^-[a-zA-Z]*r/.test(arg))) {
              for (const path of args.filter((arg) => !arg.startsWith('-'))) {
                const abs = posix.resolve(cwd, path);
                for (const key of [...state.files.keys()]) if (under(key, abs)) state.files.delete(key);
              }
            }
            break;
          default:
            break;
        }
      }
    }

    function npm(args: string[], env: Map<string, string | null>, envLines: Map<string, number>, cwd: string, at: number, text: string, overlay: Map<string, Origin>, mounted: boolean) {
      let dir = cwd;
      let subcommand: string | undefined;
      const options: string[] = [];
      const packages: string[] = [];
      for (let index = 0; index < args.length; index++) {
        const arg = args[index]!;
        if (arg === '--prefix' || arg === '-C') {
          dir = posix.resolve(cwd, args[++index] ?? '.');
        } else if (arg.startsWith('--prefix=')) {
          dir = posix.resolve(cwd, arg.slice('--prefix='.length));
        } else if (arg.startsWith('-')) {
          options.push(arg);
          if (npmValueOptions.has(arg) && args[index + 1] !== undefined) options.push(args[++index]!);
        } else if (subcommand === undefined) {
          subcommand = arg;
        } else {
          packages.push(arg);
        }
      }
      if (!subcommand) return;
      if (options.some((arg) => arg === '-g' || arg === '--global' || arg === '--location=global')) return;
      const omit = omitsDev(options, env, envLines);
      if (['ci', 'clean-install', 'ic', 'install-clean', 'isntall-clean'].includes(subcommand)) {
        install('npm ci', dir, at, text, overlay, mounted, omit === null, omit, [], true);
      } else if (['install', 'i', 'in', 'ins', 'inst', 'insta', 'instal', 'isnt', 'isnta', 'isntal', 'isntall', 'add'].includes(subcommand)) {
        install('npm install', dir, at, text, overlay, mounted, omit === null, omit, packages, false);
      } else if (subcommand === 'prune' && omit !== null) {
        const prefix = posix.join(dir, 'node_modules');
        for (const [key, origin] of state.files) {
          if (under(key, prefix) && origin.kind === 'deps' && origin.install?.dev) {
            state.files.set(key, { ...origin, install: { ...origin.install, dev: false, omitReason: `npm prune ${omit}`, prunedAt: at } });
          }
        }
      }
    }

    function install(tool: string, dir: string, at: number, text: string, overlay: Map<string, Origin>, mounted: boolean, dev: boolean, omitReason: string | null, packages: string[], clean: boolean) {
      const visible = new Map([...state.files, ...overlay]);
      const has = (name: string) => visible.has(posix.join(dir, name));
      // The earliest source file already present; among those, one a learner recognises.
      const rank = (path: string) => (path === app.entry ? 0 : path.startsWith('src/') ? 1 : context.virtual.has(path) ? 3 : 2);
      let sourceBefore: InstallEvent['sourceBefore'] = null;
      for (const [path, origin] of visible) {
        if (origin.kind !== 'context' || manifestNames.has(posix.basename(origin.contextPath ?? ''))) continue;
        const line = origin.lines[origin.lines.length - 1] ?? at;
        const candidate = { path: origin.contextPath ?? path, line };
        if (!sourceBefore || line < sourceBefore.line || (line === sourceBefore.line && rank(candidate.path) < rank(sourceBefore.path))) sourceBefore = candidate;
      }
      const event: InstallEvent = {
        line: at,
        stage,
        tool,
        command: text,
        dir,
        dev,
        omitReason,
        prunedAt: null,
        manifests: { packageJson: has('package.json'), lockFile: has('package-lock.json') || has('npm-shrinkwrap.json'), mounted },
        sourceBefore,
        packages,
      };
      stage.installs.push(event);
      if (dir === '/') rootInstalls.push(event);
      const modules = posix.join(dir, 'node_modules');
      // `npm ci` starts from an empty node_modules; `npm install` adds to what is there.
      if (clean) for (const key of [...state.files.keys()]) if (under(key, modules)) state.files.delete(key);
      state.files.set(posix.join(modules, '.package-lock.json'), { kind: 'deps', install: event, lines: [at] });
    }

    stages.push(stage);
  });

  const final = stages[stages.length - 1]!;
  return { file: options.file, text, ast, stages, final, globalArgs, variables, copies, rootInstalls, context, app };
}

export interface DepsFolder {
  /** Absolute path of the `node_modules` folder in the image. */
  dir: string;
  /** The install that produced it, when npm (or yarn, pnpm) did. */
  install: InstallEvent | null;
  /** Lines that carried it into the image (the install, then each COPY --from). */
  lines: number[];
  /** Set when the developer's own node_modules was copied from the build context. */
  fromContext: { line: number } | null;
}

/** The `node_modules` folders of an image, and where each came from. */
export function depsFolders(state: ImageState): DepsFolder[] {
  const folders = new Map<string, DepsFolder>();
  for (const [path, origin] of state.files) {
    const index = path.split('/').indexOf('node_modules');
    if (index === -1) continue;
    const dir = path.split('/').slice(0, index + 1).join('/');
    const folder = folders.get(dir) ?? { dir, install: null, lines: [], fromContext: null };
    if (origin.kind === 'deps' && origin.install) {
      folder.install = origin.install;
      folder.lines = origin.lines;
    } else if (origin.kind === 'context' && !folder.fromContext) {
      folder.fromContext = { line: origin.lines[origin.lines.length - 1] ?? 0 };
    }
    folders.set(dir, folder);
  }
  return [...folders.values()];
}

/** Where a context file ended up in an image. */
export function placesOf(state: ImageState, contextPath: string): { path: string; origin: Origin }[] {
  return [...state.files].filter(([, origin]) => origin.kind === 'context' && origin.contextPath === contextPath).map(([path, origin]) => ({ path, origin }));
}

/** Reads what the app's own files say: the start script's entry file and the dependencies. */
export function readApp(files: ReadonlyMap<string, string>, options: { port: number; portVariable?: string; healthPath: string; entry?: string }): AppFacts {
  let manifest: { scripts?: Record<string, string>; dependencies?: Record<string, string>; devDependencies?: Record<string, string>; main?: string } = {};
  try {
    manifest = JSON.parse(files.get('package.json') ?? '{}');
  } catch {
    manifest = {};
  }
  let entry = options.entry ?? null;
  if (!entry && manifest.scripts?.start) {
    for (const command of splitShell(manifest.scripts.start)) {
      if (posix.basename(command.argv[0] ?? '') === 'node') {
        entry = command.argv.slice(1).find((arg) => !arg.startsWith('-')) ?? null;
        break;
      }
    }
  }
  entry ??= manifest.main ?? null;
  return {
    port: options.port,
    portVariable: options.portVariable ?? 'PORT',
    healthPath: options.healthPath,
    entry: entry === null ? null : cleanKey(entry),
    dependencies: Object.keys(manifest.dependencies ?? {}),
    devDependencies: Object.keys(manifest.devDependencies ?? {}),
  };
}
