import { posix } from 'node:path';
import { type Verdict, fail, pass } from '../core/checks.ts';
import { pinOf } from './base-images.ts';
import { type CommandForm, type DepsFolder, type DockerfileModel, type InstallEvent, type Stage, depsFolders, placesOf } from './model.ts';
import { splitShell } from './shell.ts';

/**
 * The judges of the `dockerfile` kind: each reads the played-out build (`DockerfileModel`) and
 * returns a verdict whose message says what was observed, with the line it was observed on.
 * The exercise's `grader.ts` gives each a title, points and a hint with `rule()`.
 */
export type Judge = (model: DockerfileModel) => Verdict;

const at = (model: DockerfileModel, line: number | null | undefined) => ({ location: { file: model.file, ...(line ? { line } : {}) } });
const code = (text: string) => '`' + (text.length > 80 ? text.slice(0, 77) + '…' : text) + '`';
const stageName = (stage: Stage, model: DockerfileModel) =>
  stage === model.final ? 'the final stage' : stage.name ? `stage "${stage.name}"` : `the stage that starts at line ${stage.line}`;
const list = (items: string[]) => (items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} and ${items[items.length - 1]}`);
/** Several findings in one message, the first one's line as the location. */
function findings(model: DockerfileModel, found: { line: number | null; text: string }[]): Verdict {
  const sorted = [...found].sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
  return fail(sorted.map((item) => item.text).join(' '), at(model, sorted[0]?.line));
}

/**
 * Docker can run the file. A syntax error never reaches a judge (the grade is an `error` report
 * with the line); what is left is what Docker finds only when it gets there: a COPY from the
 * build context whose file is not in it, or is excluded by `.dockerignore`. A wildcard that
 * matches nothing is not an error to BuildKit, and files that a RUN makes in a stage are not
 * known here, so only named context files are judged.
 */
export const parses: Judge = (model) => {
  const problems: { line: number; text: string }[] = [];
  for (const copy of model.copies) {
    if (!copy.fromContext) continue;
    for (const source of copy.missing) {
      if (/[*?[]/.test(source)) continue;
      const key = posix.normalize(`/${source}`).replace(/^\/+|\/+$/g, '');
      const present = model.context.files.some((path) => path === key || path.startsWith(`${key}/`));
      const rule = present ? model.context.ignore.decide(key).rule : undefined;
      const instruction = code(`${copy.keyword} ${[...copy.sources, copy.dest].join(' ')}`);
      problems.push({
        line: copy.line,
        text: rule
          ? `Line ${copy.line}: ${instruction} stops the build: .dockerignore line ${rule.line} (${code(rule.source)}) excludes ${key} from the build context, so Docker cannot find it.`
          : `Line ${copy.line}: ${instruction} stops the build: there is no ${key} in the build context.`,
      });
    }
  }
  return problems.length === 0 ? pass() : findings(model, problems);
};

/** Every image pulled from a registry names at least a major version, or a digest. */
export const pinnedBaseImages: Judge = (model) => {
  const problems: { line: number; text: string }[] = [];
  for (const stage of model.stages) {
    if (!stage.image || stage.base.family === 'scratch') continue;
    const pin = pinOf(stage.image);
    if (pin.pinned) continue;
    const written = stage.fromText || '(empty)';
    problems.push({ line: stage.line, text: `Line ${stage.line}: ${code(`FROM ${written}`)} ${pin.why}.` });
  }
  return problems.length === 0 ? pass() : findings(model, problems);
};

function describeInstall(install: InstallEvent, model: DockerfileModel): string {
  const where = install.stage === model.final ? '' : ` in ${stageName(install.stage, model)}`;
  return `line ${install.line} (${code(install.command.split('\n')[0] ?? install.tool)})${where}`;
}

function carried(folder: DepsFolder): string {
  const copies = folder.lines.slice(1);
  return copies.length > 0 ? `; line ${copies[copies.length - 1]} copies them into the final image` : '';
}

/** The stages the final image is built on: itself and the stages it continues with FROM <stage>. */
function finalChain(model: DockerfileModel): Stage[] {
  const chain: Stage[] = [];
  for (let stage: Stage | null = model.final; stage; stage = stage.parent) chain.push(stage);
  return chain;
}

/** Dependencies come from the lock file (`npm ci`) and the final image holds production ones only. */
export const productionDependencies: Judge = (model) => {
  const folders = depsFolders(model.final.state);
  if (folders.length === 0) {
    return fail(
      `The final image has no node_modules: no npm ci runs in ${stageName(model.final, model)} (line ${model.final.line}) and no COPY --from brings one in, so the server would fail to import ${model.app.dependencies[0] ?? 'its dependencies'}.`,
      at(model, model.final.line),
    );
  }
  const problems: { line: number; text: string }[] = [];
  for (const folder of folders) {
    if (folder.fromContext) {
      problems.push({
        line: folder.fromContext.line,
        text: `Line ${folder.fromContext.line} copies the node_modules of your own folder into ${folder.dir}, because ${model.context.ignoreText === null ? 'there is no .dockerignore to exclude it' : '.dockerignore does not exclude it'}: that folder holds devDependencies and packages built for your machine, not for the image.`,
      });
    }
    const install = folder.install;
    if (!install) continue;
    if (install.tool !== 'npm ci') {
      problems.push({ line: install.line, text: `The dependencies in ${folder.dir} are installed with ${install.tool} at ${describeInstall(install, model)}, not npm ci.` });
    } else if (install.packages.length > 0) {
      problems.push({ line: install.line, text: `Line ${install.line} names packages (${list(install.packages)}) on the install command line.` });
    }
    if (install.dev) {
      const dev = model.app.devDependencies;
      problems.push({
        line: install.line,
        text: `The install at ${describeInstall(install, model)} keeps devDependencies${dev.length > 0 ? ` (${list(dev)})` : ''}${carried(folder)}, so they ship in the final image.`,
      });
    }
  }
  return problems.length === 0 ? pass() : findings(model, problems);
};

/** The manifests come in (or are bind-mounted) and dependencies install before the rest of the source. */
export const installsBeforeSource: Judge = (model) => {
  const folders = depsFolders(model.final.state);
  // The installs whose packages reach the final image, and those run in the stages it is built
  // on (a later COPY may have replaced their node_modules, which production-deps reports).
  const reaching = folders.map((folder) => folder.install).filter((install): install is InstallEvent => install !== null);
  const installs = [...new Set([...reaching, ...finalChain(model).flatMap((stage) => stage.installs)])].sort((a, b) => a.line - b.line);
  if (installs.length === 0) {
    const copied = folders.find((folder) => folder.fromContext);
    return fail(
      copied
        ? `The final image's node_modules is copied from your own folder (line ${copied.fromContext!.line}), so no install step exists to cache.`
        : 'No install step builds the node_modules of the final image, so there is no dependency layer to cache.',
      at(model, copied?.fromContext?.line ?? model.final.line),
    );
  }
  const problems: { line: number; text: string }[] = [];
  for (const install of installs) {
    const missing = [...(install.manifests.packageJson ? [] : ['package.json']), ...(install.manifests.lockFile ? [] : ['package-lock.json'])];
    if (missing.length > 0) {
      problems.push({ line: install.line, text: `At ${describeInstall(install, model)}, ${list(missing)} ${missing.length > 1 ? 'are' : 'is'} not in ${install.dir} yet.` });
    }
    if (install.sourceBefore) {
      const { path, line } = install.sourceBefore;
      problems.push({
        line,
        text:
          line === install.line
            ? `The install at line ${install.line} mounts the whole build context (${path} included), so any edit to any file reruns it.`
            : `Line ${line} copies the rest of the source (${path} among it) before the install at line ${install.line}, so an edit to any source file reruns ${install.tool}.`,
      });
    }
  }
  return problems.length === 0 ? pass() : findings(model, problems);
};

/** The final image runs as a user other than root, and that user exists. */
export const nonRootUser: Judge = (model) => {
  const { state, base } = model.final;
  const user = state.user;
  const name = user.value.split(':')[0]?.trim() ?? '';
  if (name === '' || name === 'root' || name === '0') {
    return fail(
      user.inherited
        ? `The final stage never sets USER, so the container runs as root, the default of ${code(base.label)}.`
        : `Line ${user.line} sets ${code(`USER ${user.value}`)}, and it is the last USER of the final image, so the container runs as root.`,
      at(model, user.line),
    );
  }
  if (!/^\d+$/.test(name) && base.users !== null && !base.users.has(name) && !state.users.has(name)) {
    return fail(
      `Line ${user.line} sets ${code(`USER ${user.value}`)}, but ${code(base.label)} has no user "${name}" and no RUN creates one, so the container would not start ("unable to find user ${name}").`,
      at(model, user.line),
    );
  }
  return pass();
};

/** The port the app listens on in the final image: its PORT variable, else the default. */
export function appPort(model: DockerfileModel): { port: number; why: string; line: number | null } {
  const setting = model.final.state.env.get(model.app.portVariable);
  if (setting && /^\d+$/.test(setting.value.trim())) return { port: Number(setting.value), why: `${model.app.portVariable}=${setting.value} (line ${setting.line})`, line: setting.line };
  return { port: model.app.port, why: `${model.app.portVariable} is not set in the image, so the server falls back to ${model.app.port}`, line: null };
}

/** EXPOSE documents the port the app really listens on. */
export const exposesAppPort: Judge = (model) => {
  const { port, why } = appPort(model);
  const exposes = model.final.state.exposes;
  if (exposes.length === 0) return fail(`The final image has no EXPOSE; the app listens on ${port} (${why}).`, at(model, model.final.line));
  if (exposes.some((exposed) => exposed.port <= port && port <= exposed.to)) return pass();
  const written = exposes.map((exposed) => `${exposed.text} (line ${exposed.line})`);
  return fail(`The image exposes ${list(written)}, but the app listens on ${port}: ${why}.`, at(model, exposes[0]!.line));
};

const nodeValueOptions = new Set(['-r', '--require', '--import', '--loader', '--experimental-loader', '-C', '--conditions', '--env-file', '--env-file-if-exists', '--input-type', '--title', '--stack-size', '--max-old-space-size']);
const wrappers = new Set(['tini', 'tini-static', 'dumb-init']);
const shells = new Set(['sh', 'bash', 'ash', 'dash', 'zsh']);
const packageManagers = new Set(['npm', 'npx', 'yarn', 'pnpm', 'corepack']);

function jsonProblem(text: string): string {
  if (text.includes("'")) return 'it uses single quotes, and JSON strings need double quotes';
  try {
    JSON.parse(text);
    return 'it is not an array of strings';
  } catch (error) {
    return `JSON reports "${error instanceof Error ? error.message.split('\n')[0] : String(error)}"`;
  }
}

function shellFormProblem(command: CommandForm): string {
  const how = `Docker runs it as ${code(`/bin/sh -c "${command.text}"`)}`;
  if (command.malformedJson) return `Line ${command.line}: ${code(`${command.keyword} ${command.text}`)} looks like a JSON array but is not valid JSON (${jsonProblem(command.text)}), so ${how}.`;
  return `Line ${command.line}: ${code(`${command.keyword} ${command.text}`)} is in shell form, so ${how}.`;
}

/**
 * The start command, as Docker assembles it from ENTRYPOINT and CMD: exec form, node itself as
 * the process (not npm, not a shell), and a script that is the server and is in the image.
 */
export const startsNodeInExecForm: Judge = (model) => {
  const { state, base } = model.final;
  const { entrypoint, cmd } = state;
  const ownLine = (cmd && !cmd.inherited ? cmd.line : null) ?? (entrypoint && !entrypoint.inherited ? entrypoint.line : null) ?? model.final.line;
  const problems: { line: number; text: string }[] = [];

  if (!cmd || cmd.inherited) {
    if (!entrypoint || entrypoint.inherited) {
      const inherited = [...(entrypoint?.argv ?? []), ...(cmd?.argv ?? [])];
      return fail(
        inherited.length > 0
          ? `The final stage sets no CMD, so the container runs the default of ${code(base.label)}, ${code(JSON.stringify(inherited))}: node with no script, not the server.`
          : 'The final stage sets no CMD or ENTRYPOINT, so the container has nothing to run.',
        at(model, model.final.line),
      );
    }
  }
  if (entrypoint && entrypoint.form === 'shell') {
    problems.push({ line: entrypoint.line, text: `${shellFormProblem(entrypoint)}${cmd ? ' A shell-form ENTRYPOINT also ignores CMD.' : ''}` });
  } else if (cmd && cmd.form === 'shell') {
    problems.push({ line: cmd.line, text: shellFormProblem(cmd) });
  }

  let argv = entrypoint?.form === 'shell' ? splitShell(entrypoint.text)[0]?.argv ?? [] : [...(entrypoint?.argv ?? []), ...(cmd?.form === 'shell' ? (splitShell(cmd.text)[0]?.argv ?? []) : (cmd?.argv ?? []))];
  // Unwrap init processes and the node image's entrypoint script, as they hand over to node.
  for (;;) {
    const program = posix.basename(argv[0] ?? '');
    if (wrappers.has(program)) {
      let index = 1;
      while (index < argv.length && argv[index]!.startsWith('-') && argv[index] !== '--') index++;
      if (argv[index] === '--') index++;
      argv = argv.slice(index);
      continue;
    }
    if (program === 'docker-entrypoint.sh' && base.family === 'node') {
      argv = argv.slice(1);
      const next = argv[0];
      // The script prepends `node` when its first argument is an option or not a command.
      const command = next !== undefined && (base.tools?.has(posix.basename(next)) || state.tools.has(posix.basename(next)));
      const scriptLike = next !== undefined && (next.startsWith('-') || next.includes('/') || /\.[cm]?js$/.test(next));
      if (next !== undefined && !command && scriptLike) argv = ['node', ...argv];
      continue;
    }
    break;
  }

  const program = argv[0] ?? '';
  const name = posix.basename(program);
  const shown = code(argv.join(' '));
  const malformed = entrypoint?.form === 'shell' ? entrypoint : cmd?.form === 'shell' ? cmd : null;
  if (malformed?.malformedJson) {
    if (program !== '') problems[0]!.text += ` The shell then looks for a program called ${code(program)}, finds none, and the container exits at once.`;
    return findings(model, problems);
  }
  if (shells.has(name) && argv[1] === '-c') {
    problems.push({ line: ownLine, text: `The container starts a shell (${shown}), not node.` });
    return findings(model, problems);
  }
  if (packageManagers.has(name)) {
    problems.push({ line: ownLine, text: `The container starts ${name} (${shown}), which then starts node as its child: the server is not the container's main process.` });
    return findings(model, problems);
  }
  if (name !== 'node' && name !== 'nodejs') {
    problems.push({ line: ownLine, text: argv.length === 0 ? 'The start command is empty.' : `The container starts ${code(program)} (${shown}), not node.` });
    return findings(model, problems);
  }
  if (problems.length > 0) return findings(model, problems);

  // A bare name is looked up on the PATH; an absolute path must exist as written.
  const reachable =
    base.tools === null || state.tools.has('nodejs') || state.tools.has(name) || (program === name ? base.tools.has(name) : base.binaries.has(program));
  if (!reachable) {
    const real = [...base.binaries].find((path) => posix.basename(path) === 'node');
    return fail(
      `The command runs ${code(program)}, but ${code(base.label)} has no ${program === name ? `${code(name)} on its PATH` : code(program)}${real ? ` (its node is ${real}${base.entrypoint?.[0] === real ? ', already the entrypoint' : ''})` : ''}.`,
      at(model, ownLine),
    );
  }

  let script: string | null = null;
  let envFile: string | null = null;
  for (let index = 1; index < argv.length; index++) {
    const arg = argv[index]!;
    if (arg === '--') {
      script = argv[index + 1] ?? null;
      break;
    }
    if (['-e', '--eval', '-p', '--print'].includes(arg) || arg.startsWith('--eval=')) {
      return fail(`The command runs inline code with ${code(arg)} (${shown}) instead of the server's file.`, at(model, ownLine));
    }
    if (arg.startsWith('-')) {
      if (arg.startsWith('--env-file=')) envFile = arg.slice('--env-file='.length);
      if (nodeValueOptions.has(arg)) {
        if (arg === '--env-file') envFile = argv[index + 1] ?? null;
        index++;
      }
      continue;
    }
    script = arg;
    break;
  }
  if (!script) return fail(`The command ${shown} names no script, so node starts its interactive prompt instead of the server.`, at(model, ownLine));
  if (posix.basename(script) === 'node' || posix.basename(script) === 'nodejs') {
    return fail(`The command runs ${shown}: node is asked to run a file called ${code(script)}. ${base.family === 'distroless-node' ? `${code(base.label)} already has node as its ENTRYPOINT, so ` : ''}node appears twice.`, at(model, ownLine));
  }

  const workdir = state.workdir;
  const path = posix.resolve(workdir, script);
  const candidates = [path, `${path}.js`, `${path}.mjs`, `${path}.cjs`, posix.join(path, 'index.js')];
  const foundAt = candidates.find((candidate) => state.files.has(candidate));
  const entry = model.app.entry;
  if (foundAt) {
    const origin = state.files.get(foundAt)!;
    if (entry && !(origin.kind === 'context' && origin.contextPath === entry)) {
      const what = origin.kind === 'context' ? `the context's ${origin.contextPath}` : 'a file the Dockerfile writes itself';
      return fail(`The command runs ${foundAt}, which is ${what}, not the server: npm start runs ${entry}.`, at(model, ownLine));
    }
    if (envFile && !state.files.has(posix.resolve(workdir, envFile))) {
      return fail(`The command loads ${code(`--env-file ${envFile}`)}, which is not in the image, so node would exit at start.`, at(model, ownLine));
    }
    return pass();
  }
  const resolved = workdir === '/' || script.startsWith('/') ? path : `${path} (${script} from the working directory ${workdir})`;
  if (!entry) return fail(`The command runs ${resolved}, which is not in the final image.`, at(model, ownLine));
  const places = placesOf(state, entry);
  if (places.length > 0) {
    return fail(`The command runs ${resolved}, but the server's file ${entry} is at ${places.map((place) => place.path).join(', ')} in the image.`, at(model, ownLine));
  }
  const decision = model.context.ignore.decide(entry);
  if (decision.excluded && decision.rule) {
    return fail(
      `The command runs ${resolved}, but .dockerignore line ${decision.rule.line} (${code(decision.rule.source)}) excludes ${entry} from the build context, so no COPY can bring it into the image.`,
      at(model, ownLine),
    );
  }
  return fail(`The command runs ${resolved}, but no COPY brings ${entry} into the final image.`, at(model, ownLine));
};

/**
 * The host and port of the URL that requests `health` (`localhost:3000` in
 * `http://localhost:3000/health`). Searched backwards from each occurrence within a short
 * window, so a long command cannot make the search slow.
 */
function probedUrl(text: string, health: string): { url: string; hostPort: string } | null {
  for (let index = text.indexOf(health); index !== -1; index = text.indexOf(health, index + 1)) {
    const before = text.slice(Math.max(0, index - 200), index);
    const scheme = before.lastIndexOf('://');
    if (scheme === -1) continue;
    const hostPort = before.slice(scheme + 3);
    if (hostPort === '' || /[\s'"`/]/.test(hostPort)) continue;
    const start = before.slice(0, scheme).search(/[a-z]+$/i);
    return { url: before.slice(start === -1 ? scheme : start) + health, hostPort };
  }
  return null;
}

function curlFails(argv: string[]): boolean {
  return argv.some((arg) => arg === '--fail' || arg === '--fail-with-body' || (/^-[a-zA-Z]+$/.test(arg) && arg.includes('f'))) || argv.some((arg) => arg.includes('http_code'));
}

/** A HEALTHCHECK in the final image requests the app's health path, on the app's port, with a program the image has. */
export const healthcheckProbesHealth: Judge = (model) => {
  const { state, base } = model.final;
  const health = model.app.healthPath;
  const check = state.healthcheck;
  if (!check) return fail(`The final image has no HEALTHCHECK, so Docker reports the container as running even when the server inside has stopped answering.`, at(model, model.final.line));
  if (check.none || !check.command) return fail(`Line ${check.line}: ${code('HEALTHCHECK NONE')} switches the health check off.`, at(model, check.line));
  const command = check.command;
  const text = command.form === 'exec' ? command.argv.join(' ') : command.text;
  const escaped = health.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  if (!new RegExp(`${escaped}(?![\\w-])`).test(text)) {
    return fail(`Line ${check.line}: the HEALTHCHECK runs ${code(text)}, which does not request ${health}.`, at(model, check.line));
  }
  if (command.form === 'shell' && base.shell === false && !state.tools.has('busybox')) {
    return fail(`Line ${check.line}: the HEALTHCHECK is in shell form, but ${code(base.label)} has no /bin/sh to run it, so every probe fails and the container is marked unhealthy.`, at(model, check.line));
  }
  const argv = command.form === 'exec' ? command.argv : (splitShell(command.text)[0]?.argv ?? []);
  const program = argv[0] ?? '';
  const name = posix.basename(program);
  const available = base.tools === null || state.tools.has(name) || (program.startsWith('/') ? base.binaries.has(program) || base.tools.has(name) : base.tools.has(name));
  if (!available) {
    const real = [...base.binaries].find((path) => posix.basename(path) === name);
    return fail(
      `Line ${check.line}: the HEALTHCHECK runs ${code(program)}, but ${code(base.label)} has no ${code(program)}${real ? ` on its PATH (it is at ${real})` : ''} and no RUN installs it, so every probe fails and the container is marked unhealthy.`,
      at(model, check.line),
    );
  }
  if (name === 'curl' && !curlFails(argv)) {
    return fail(`Line ${check.line}: ${code(text)} exits with 0 even when ${health} answers with an error, because curl only fails on HTTP errors with ${code('--fail')}.`, at(model, check.line));
  }
  const url = probedUrl(text, health);
  if (url) {
    const hostPort = url.hostPort;
    if (hostPort.includes('process.env')) return pass();
    const portText = /^(?:\[[^\]]*\]|[^:]*)(?::(.*))?$/.exec(hostPort)?.[1];
    const { port, why } = appPort(model);
    if (portText === undefined) {
      return port === 80 ? pass() : fail(`Line ${check.line}: the HEALTHCHECK requests ${code(url.url)}, which is port 80, but the app listens on ${port} (${why}).`, at(model, check.line));
    }
    let probed: string = portText;
    const variable = /^\$\{?([A-Za-z_][A-Za-z0-9_]*)(?::?-([^}]*))?\}?$/.exec(portText);
    if (variable) {
      const shellRuns = command.form === 'shell' || shells.has(name);
      if (!shellRuns) return fail(`Line ${check.line}: the exec-form HEALTHCHECK passes ${code(portText)} to ${name} as it is: without a shell nothing replaces the variable.`, at(model, check.line));
      probed = state.env.get(variable[1]!)?.value ?? variable[2] ?? '';
      if (probed === '') return fail(`Line ${check.line}: the HEALTHCHECK's port comes from ${code(portText)}, but ${variable[1]} is not set in the image, so the URL has no port.`, at(model, check.line));
    }
    if (/^\d+$/.test(probed) && Number(probed) !== port) {
      return fail(`Line ${check.line}: the HEALTHCHECK probes port ${probed}, but the app listens on ${port} (${why}).`, at(model, check.line));
    }
  }
  return pass();
};

/** NODE_ENV is `production` at run time, which only ENV (not ARG) provides. */
export const nodeEnvProduction: Judge = (model) => {
  const setting = model.final.state.env.get('NODE_ENV');
  if (setting?.value === 'production') return pass();
  if (setting) return fail(`Line ${setting.line} sets NODE_ENV to ${code(setting.value || '(empty)')} in the final image.`, at(model, setting.line));
  const finalArg = model.variables.find((variable) => variable.keyword === 'ARG' && variable.name === 'NODE_ENV' && variable.stage === model.final);
  if (finalArg) return fail(`Line ${finalArg.line} declares NODE_ENV with ARG, which lasts only while the image builds: the running container has no NODE_ENV.`, at(model, finalArg.line));
  const elsewhere = model.variables.find((variable) => variable.keyword === 'ENV' && variable.name === 'NODE_ENV' && variable.stage && variable.stage !== model.final);
  if (elsewhere?.stage) {
    return fail(`NODE_ENV is set in ${stageName(elsewhere.stage, model)} at line ${elsewhere.line}, but the final stage starts from ${model.final.fromText}, so it does not inherit it.`, at(model, model.final.line));
  }
  return fail('The final image does not set NODE_ENV, so Express and other libraries run in development mode.', at(model, model.final.line));
};

const secretWords = new Set(['SECRET', 'SECRETS', 'PASSWORD', 'PASSWD', 'PASS', 'TOKEN', 'APIKEY', 'CREDENTIAL', 'CREDENTIALS', 'PRIVATE', 'KEY', 'AUTH']);
const harmlessEndings = new Set(['FILE', 'PATH', 'DIR', 'TTL', 'LENGTH', 'EXPIRY', 'EXPIRES', 'HEADER', 'NAME', 'ID', 'URL', 'HOST', 'PORT', 'USER', 'USERNAME']);
const secretValues: { pattern: RegExp; what: string }[] = [
  { pattern: /^(sk|rk|pk)_(live|test)_/i, what: 'a payment API key' },
  { pattern: /^sk-/, what: 'an API key' },
  { pattern: /^gh[pousr]_[A-Za-z0-9]{16,}/, what: 'a GitHub token' },
  { pattern: /^npm_[A-Za-z0-9]{20,}/, what: 'an npm token' },
  { pattern: /AKIA[0-9A-Z]{16}/, what: 'an AWS access key' },
  { pattern: /^xox[abpr]-/, what: 'a Slack token' },
  { pattern: /-----BEGIN [A-Z ]*PRIVATE KEY-----/, what: 'a private key' },
  { pattern: /^eyJ[\w-]+\.[\w-]+\./, what: 'a JSON Web Token' },
  { pattern: /^[a-z][a-z0-9+.-]*:\/\/[^\s:@/]+:[^\s@/]+@/i, what: 'a URL with a password in it' },
];

/** Whether a variable name says it holds a secret (`API_TOKEN`, `DB_PASSWORD`, not `TOKEN_FILE`). */
export function secretLikeName(name: string): boolean {
  const words = name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toUpperCase()
    .split(/[_\-.]+/)
    .filter(Boolean);
  if (words.length === 0 || harmlessEndings.has(words[words.length - 1]!)) return false;
  return words.some((word) => secretWords.has(word)) || /APIKEY|SECRET|PASSWORD|TOKEN/.test(name.toUpperCase());
}

const envFileName = (path: string) => /^\.env(\..+)?$/.test(posix.basename(path)) && !/\.(example|sample|template|dist)$/.test(path);

/** No ENV/ARG carries a secret value, and no `.env` file reaches the final image. */
export const noBakedSecrets: Judge = (model) => {
  const problems: { line: number; text: string }[] = [];
  for (const variable of model.variables) {
    // Secrets are short; a capped value keeps the pattern search cheap on any input.
    const value = variable.value?.trim().slice(0, 4096) ?? '';
    if (value === '' || value === '""' || value === "''") continue;
    const byValue = secretValues.find((candidate) => candidate.pattern.test(value));
    if (secretLikeName(variable.name) || byValue) {
      const lasts = variable.keyword === 'ENV' ? 'every container of the image can read it' : 'it is recorded in the image history';
      // `ENV NPM_TOKEN=$NPM_TOKEN`: the secret is not written here, but passed in and kept all the same.
      const fromVariable = !byValue && /\$\{?[A-Za-z_]/.test(value);
      const what = fromVariable
        ? `takes its value from ${code(value)} while the image builds`
        : `has a value${byValue ? ` that looks like ${byValue.what}` : ''}, written in the Dockerfile`;
      problems.push({ line: variable.line, text: `Line ${variable.line}: ${code(`${variable.keyword} ${variable.name}`)} ${what}, and ${lasts}.` });
    }
  }
  for (const [path, origin] of model.final.state.files) {
    if (origin.kind !== 'context' || !origin.contextPath || !envFileName(origin.contextPath)) continue;
    const line = origin.lines[origin.lines.length - 1] ?? model.final.line;
    const first = origin.lines[0];
    const via = origin.lines.length > 1 ? ` (copied at line ${first}, then into the final image at line ${line})` : ` (line ${line})`;
    problems.push({ line: first ?? line, text: `The secrets file ${origin.contextPath} is in the final image at ${path}${via}.` });
  }
  return problems.length === 0 ? pass() : findings(model, problems);
};

/**
 * `.dockerignore` exists and keeps each of `paths` out of the build context, judged with
 * Docker's own matching (so an allow-list such as `*` then `!src` counts).
 */
export function excludesFromContext(...paths: string[]): Judge {
  return (model) => {
    const location = { location: { file: '.dockerignore' } };
    if (model.context.ignoreText === null) {
      return fail(`There is no .dockerignore, so docker build sends the whole folder to the builder, ${list(paths)} included.`, location);
    }
    const virtual = [...model.context.virtual];
    const problems: { line: number | null; text: string }[] = [];
    for (const path of paths) {
      // Probe a file inside a folder (node_modules/express/package.json), or the file itself.
      const probe = virtual.find((candidate) => candidate.startsWith(path + '/')) ?? path;
      const decision = model.context.ignore.decide(probe);
      if (decision.excluded) continue;
      const rule = decision.rule;
      problems.push({
        line: rule?.line ?? null,
        text: rule ? `${path} is sent to the builder: line ${rule.line} (${code(rule.source)}) brings it back.` : `Nothing in .dockerignore matches ${path}, so it is sent to the builder.`,
      });
    }
    if (problems.length === 0) return pass();
    const first = problems.find((problem) => problem.line !== null);
    return fail(problems.map((problem) => problem.text).join(' '), { location: { file: '.dockerignore', ...(first?.line ? { line: first.line } : {}) } });
  };
}

const archive = /\.(tar|tar\.gz|tgz|tar\.bz2|tbz2?|tar\.xz|txz|tar\.zst)$/i;

/** COPY (not ADD) brings local files in, and the app lives in a WORKDIR other than `/`. */
export const copyAndWorkdir: Judge = (model) => {
  const problems: { line: number; text: string }[] = [];
  let finalAtRoot = false;
  for (const copy of model.copies) {
    if (copy.keyword === 'ADD' && copy.from === null) {
      const local = copy.sources.filter((source) => !/^[a-z][a-z0-9+.-]*:\/\//i.test(source) && !source.startsWith('git@') && !archive.test(source));
      if (local.length > 0) problems.push({ line: copy.line, text: `Line ${copy.line} uses ADD for local files (${list(local)}).` });
    }
    if (copy.intoRoot) {
      problems.push({ line: copy.line, text: `Line ${copy.line} copies into / because ${stageName(copy.stage, model)} has no WORKDIR before it.` });
      if (copy.stage === model.final) finalAtRoot = true;
    }
  }
  for (const install of model.rootInstalls) {
    problems.push({ line: install.line, text: `Line ${install.line} installs into /node_modules because ${stageName(install.stage, model)} has no WORKDIR before it.` });
    if (install.stage === model.final) finalAtRoot = true;
  }
  if (model.final.state.workdir === '/' && !finalAtRoot) {
    problems.push({ line: model.final.line, text: 'The final image has no WORKDIR, so the app runs from /.' });
  }
  return problems.length === 0 ? pass() : findings(model, problems);
};
