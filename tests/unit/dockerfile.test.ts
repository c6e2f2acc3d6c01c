import { describe, expect, it } from 'vitest';
import { SubmissionError } from '../../graders/core/checks.ts';
import { exerciseSchema } from '../../graders/core/exercise.ts';
import type { LoadedExercise } from '../../graders/core/exercises.ts';
import type { CheckResult } from '../../graders/core/report.ts';
import {
  copyAndWorkdir,
  dockerfileGrader,
  excludesFromContext,
  exposesAppPort,
  healthcheckProbesHealth,
  installsBeforeSource,
  noBakedSecrets,
  nodeEnvProduction,
  nonRootUser,
  parses,
  pinnedBaseImages,
  productionDependencies,
  rule,
  secretLikeName,
  startsNodeInExecForm,
} from '../../graders/dockerfile/index.ts';
import { parseImageReference, pinOf } from '../../graders/dockerfile/base-images.ts';
import { splitShell } from '../../graders/dockerfile/shell.ts';

/**
 * The `dockerfile` grader kind on its own, with a small build context of its own: the syntax
 * gate, following the build through its stages, and each rule's verdict, line and message.
 */

const hint = 'why the rule exists';
const grader = dockerfileGrader({
  app: { port: 3000, healthPath: '/health' },
  rules: [
    rule('parses', parses, { id: 'parses', hint }),
    rule('pinned', pinnedBaseImages, { id: 'pinned', hint }),
    rule('production deps', productionDependencies, { id: 'deps', hint }),
    rule('cache', installsBeforeSource, { id: 'cache', hint }),
    rule('non-root', nonRootUser, { id: 'user', hint }),
    rule('expose', exposesAppPort, { id: 'expose', hint }),
    rule('start', startsNodeInExecForm, { id: 'start', hint }),
    rule('health', healthcheckProbesHealth, { id: 'health', hint }),
    rule('node env', nodeEnvProduction, { id: 'env', hint }),
    rule('secrets', noBakedSecrets, { id: 'secrets', hint }),
    rule('ignore', excludesFromContext('node_modules', '.git', '.env'), { id: 'ignore', hint }),
    rule('copy', copyAndWorkdir, { id: 'copy', hint }),
  ],
});

const context: Record<string, string> = {
  'package.json': JSON.stringify({ name: 'api', type: 'module', scripts: { start: 'node src/server.js' }, dependencies: { express: '^5.0.0' }, devDependencies: { vitest: '^4.0.0' } }),
  'package-lock.json': '{"lockfileVersion": 3}',
  'src/server.js': 'import "./app.js";',
  'src/app.js': 'export {};',
  'test/app.test.js': '',
  '.env': 'TOKEN=fake',
  '.env.example': 'TOKEN=',
};
const goodIgnore = 'node_modules\n.git\n.env\n';

const exercise: LoadedExercise = {
  id: 'unit',
  dir: '/nonexistent',
  manifest: exerciseSchema.parse({
    title: 'Unit',
    summary: 'A build context for unit tests.',
    stage: 'deployment',
    kind: 'dockerfile',
    difficulty: 'beginner',
    minutes: 5,
    files: { editable: ['Dockerfile', '.dockerignore'], required: ['Dockerfile'] },
  }),
};

async function grade(dockerfile: string | undefined, dockerignore: string | null = goodIgnore, signal = new AbortController().signal) {
  const files = new Map(Object.entries(context));
  if (dockerfile !== undefined) files.set('Dockerfile', dockerfile);
  if (dockerignore !== null) files.set('.dockerignore', dockerignore);
  return grader.grade({ exercise, files, seed: 1, signal });
}

async function checks(dockerfile: string, dockerignore: string | null = goodIgnore): Promise<Record<string, CheckResult>> {
  const outcome = await grade(dockerfile, dockerignore);
  return Object.fromEntries(outcome.checks.map((check) => [check.id, check]));
}

async function failing(dockerfile: string, dockerignore: string | null = goodIgnore): Promise<string[]> {
  return Object.values(await checks(dockerfile, dockerignore))
    .filter((check) => check.status !== 'pass')
    .map((check) => check.id);
}

async function syntaxError(dockerfile: string, dockerignore = goodIgnore): Promise<SubmissionError> {
  const error = await grade(dockerfile, dockerignore).then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(SubmissionError);
  return error as SubmissionError;
}

const healthcheck = `HEALTHCHECK CMD ["node", "-e", "fetch('http://127.0.0.1:3000/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]`;

/** A correct single-stage Dockerfile, with parts that tests replace. */
function dockerfile(parts: Partial<Record<'from' | 'env' | 'workdir' | 'manifests' | 'install' | 'source' | 'user' | 'expose' | 'health' | 'start', string>> = {}): string {
  return (
    [
      parts.from ?? 'FROM node:22-alpine',
      parts.env ?? 'ENV NODE_ENV=production',
      parts.workdir ?? 'WORKDIR /app',
      parts.manifests ?? 'COPY package.json package-lock.json ./',
      parts.install ?? 'RUN npm ci --omit=dev',
      parts.source ?? 'COPY src ./src',
      parts.user ?? 'USER node',
      parts.expose ?? 'EXPOSE 3000',
      parts.health ?? healthcheck,
      parts.start ?? 'CMD ["node", "src/server.js"]',
    ]
      .filter(Boolean)
      .join('\n') + '\n'
  );
}

describe('the syntax gate', () => {
  it('a correct Dockerfile meets every rule', async () => {
    expect(await failing(dockerfile())).toEqual([]);
  });

  it('an instruction Docker does not know is a syntax error with its line', async () => {
    const error = await syntaxError(dockerfile({ install: 'RUNN npm ci --omit=dev' }));
    expect(error.reason).toBe('syntax');
    expect(error.details.location).toEqual({ file: 'Dockerfile', line: 5, column: 1 });
    expect(error.message).toContain('RUNN');
  });

  it('COPY with one argument is a syntax error', async () => {
    const error = await syntaxError(dockerfile({ manifests: 'COPY package.json' }));
    expect(error.details.location?.line).toBe(4);
    expect(error.message).toMatch(/COPY requires at least two arguments/);
  });

  it('lists every syntax error when there are several', async () => {
    const error = await syntaxError('FROM node:22\nEXPOSE abc\nUSER\n');
    expect(error.details.location?.line).toBe(2);
    expect(error.details.output).toContain('line 3');
  });

  it('malformed exec-form JSON is not a syntax error: Docker runs it as a shell command', async () => {
    const result = await checks(dockerfile({ start: 'CMD ["node" "src/server.js"]' }));
    expect(result.parses?.status).toBe('pass');
    expect(result.start?.status).toBe('fail');
    expect(result.start?.message).toMatch(/not valid JSON/);
    expect(result.start?.location).toEqual({ file: 'Dockerfile', line: 10 });
  });

  it('a COPY whose file is not in the build context stops the build: the parse rule fails at that line', async () => {
    const excluded = await checks(dockerfile({ source: 'COPY src ./src\nCOPY .env ./' }));
    expect(excluded.parses?.status).toBe('fail');
    expect(excluded.parses?.message).toMatch(/^Line 7: `COPY \.env \.\/` stops the build: \.dockerignore line 3 \(`\.env`\) excludes \.env/);
    expect(excluded.parses?.location).toEqual({ file: 'Dockerfile', line: 7 });

    const absent = await checks(dockerfile({ source: 'COPY src ./src\nCOPY ["config.json", "./"]' }));
    expect(absent.parses?.message).toMatch(/^Line 7: .* stops the build: there is no config\.json in the build context/);

    // A wildcard that matches nothing, a folder, a stage's files and a remote URL are fine.
    expect(
      await failing(dockerfile({ manifests: 'COPY package.json package-lock.json* npm-shrinkwrap.json* ./', source: 'COPY ./src/ ./src' })),
    ).toEqual([]);
  });

  it('style warnings (lower-case instructions, two CMDs) are not errors', async () => {
    expect(await failing(dockerfile({ from: 'from node:22-alpine', start: 'CMD ["node", "x.js"]\nCMD ["node", "src/server.js"]' }))).toEqual([]);
  });

  it('no Dockerfile at all is a missing-file error', async () => {
    const error = await grade(undefined).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(SubmissionError);
    expect((error as SubmissionError).reason).toBe('missing-file');
  });

  it('a Dockerfile of comments only is judged on nothing: every rule is skipped', async () => {
    const outcome = await grade('# to do\n\n');
    expect(outcome.checks.map((check) => check.status)).toEqual(Array(12).fill('skipped'));
    expect(outcome.summary).toMatch(/no instructions/);
  });

  it('a .dockerignore Docker refuses is a syntax error in that file', async () => {
    const error = await syntaxError(dockerfile(), 'node_modules\n!\n');
    expect(error.details.location).toEqual({ file: '.dockerignore', line: 2 });
  });
});

describe('the base image is pinned', () => {
  it.each([
    ['node:22', true],
    ['node:22-alpine', true],
    ['node:22.12.0-alpine3.20', true],
    ['node:iron-slim', true],
    ['node@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef', true],
    ['gcr.io/distroless/nodejs22-debian12', true],
    ['gcr.io/distroless/nodejs22-debian12:nonroot', true],
    ['node', false],
    ['node:latest', false],
    ['node:lts-alpine', false],
    ['node:alpine', false],
    ['localhost:5000/node', false],
  ])('%s pinned: %s', (reference, pinned) => {
    expect(pinOf(parseImageReference(reference)).pinned).toBe(pinned);
  });

  it('names each unpinned FROM with its line, and skips stage names and scratch', async () => {
    const result = await checks(
      ['FROM node:lts AS deps', 'WORKDIR /app', 'FROM deps AS test', 'FROM scratch AS empty', 'FROM node', ...dockerfile().split('\n').slice(1)].join('\n'),
    );
    expect(result.pinned?.status).toBe('fail');
    expect(result.pinned?.location?.line).toBe(1);
    expect(result.pinned?.message).toMatch(/Line 1: `FROM node:lts`.*Line 5: `FROM node` has no tag/s);
  });

  it('resolves build arguments declared before FROM', async () => {
    expect(await failing(dockerfile({ from: 'ARG NODE_VERSION=22\nFROM node:${NODE_VERSION}-alpine' }))).toEqual([]);
    expect(await failing(dockerfile({ from: 'ARG TAG=latest\nFROM node:$TAG' }))).toContain('pinned');
  });
});

describe('dependencies reach the final image from npm ci, production only', () => {
  it.each([
    ['RUN npm ci --omit=dev'],
    ['RUN npm ci --omit dev'],
    ['RUN npm ci --only=production'],
    ['RUN NODE_ENV=production npm ci'],
    ['RUN npm ci && npm prune --omit=dev'],
    ['RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev --no-audit'],
    ['RUN ["npm", "ci", "--omit=dev"]'],
  ])('%s passes', async (install) => {
    // NODE_ENV is set only after the install, so the install itself must leave devDependencies out.
    expect(await failing(dockerfile({ install, env: '', start: 'ENV NODE_ENV=production\nCMD ["node", "src/server.js"]' }))).toEqual([]);
  });

  it('NODE_ENV=production set before the install leaves devDependencies out', async () => {
    expect(await failing(dockerfile({ install: 'RUN npm ci' }))).toEqual([]);
  });

  it('--include=dev brings them back even with NODE_ENV=production', async () => {
    const result = await checks(dockerfile({ install: 'RUN npm ci --include=dev' }));
    expect(result.deps?.message).toMatch(/keeps devDependencies \(vitest\)/);
  });

  it('a plain npm ci in the final image keeps devDependencies', async () => {
    const result = await checks(dockerfile({ env: '', install: 'RUN npm ci', start: 'ENV NODE_ENV=production\nCMD ["node", "src/server.js"]' }));
    expect(result.deps?.status).toBe('fail');
    expect(result.deps?.location?.line).toBe(4);
  });

  it('npm install, yarn and packages on the command line are not npm ci', async () => {
    expect((await checks(dockerfile({ install: 'RUN npm install --omit=dev' }))).deps?.message).toMatch(/npm install/);
    expect((await checks(dockerfile({ install: 'RUN yarn install --production' }))).deps?.message).toMatch(/yarn install/);
    expect((await checks(dockerfile({ install: 'RUN npm ci --omit=dev && npm install left-pad' }))).deps?.message).toMatch(/left-pad/);
  });

  it('no install at all leaves the final image without node_modules', async () => {
    const result = await checks(dockerfile({ install: '' }));
    expect(result.deps?.message).toMatch(/no node_modules/);
    expect(result.cache?.status).toBe('fail');
  });

  it('a test stage with devDependencies is fine when the final image never copies it', async () => {
    const text = `FROM node:22-slim AS base
WORKDIR /app
COPY package.json package-lock.json ./

FROM base AS test
RUN npm ci
COPY . .
RUN npm test

FROM base AS deps
RUN npm ci --omit=dev

FROM node:22-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=deps /app/node_modules ./node_modules
COPY src ./src
USER node
EXPOSE 3000
${healthcheck}
CMD ["node", "src/server.js"]
`;
    expect(await failing(text)).toEqual([]);
  });

  it('copying the whole build folder from a stage with devDependencies ships them, naming both lines', async () => {
    const text = `FROM node:22-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci
COPY src ./src

FROM node:22-slim
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app ./
USER node
EXPOSE 3000
${healthcheck}
CMD ["node", "src/server.js"]
`;
    const result = await checks(text);
    expect(Object.values(result).filter((check) => check.status !== 'pass').map((check) => check.id)).toEqual(['deps']);
    expect(result.deps?.message).toMatch(/line 4 .*stage "build".*line 10 copies them into the final image/);
  });

  it('COPY . . after the install replaces node_modules with your own when .dockerignore lets it through', async () => {
    const result = await checks(dockerfile({ source: 'COPY . .' }), '.git\n.env\n');
    expect(result.deps?.message).toMatch(/node_modules of your own folder/);
    expect(result.cache?.status).toBe('pass');
    expect(result.ignore?.status).toBe('fail');
    expect(await failing(dockerfile({ source: 'COPY . .' }))).toEqual([]);
  });
});

describe('dependencies install before the source is copied', () => {
  it('copying the source first fails at the COPY line', async () => {
    const result = await checks(dockerfile({ manifests: 'COPY . .', source: '' }));
    expect(result.cache?.status).toBe('fail');
    expect(result.cache?.location?.line).toBe(4);
    expect(result.cache?.message).toMatch(/src\/server\.js/);
  });

  it('bind-mounted manifests count as copied', async () => {
    const install = 'RUN --mount=type=bind,source=package.json,target=package.json --mount=type=bind,source=package-lock.json,target=package-lock.json npm ci --omit=dev';
    expect(await failing(dockerfile({ manifests: '', install, source: 'COPY . .' }))).toEqual([]);
  });

  it('bind-mounting the whole context reruns the install on every edit', async () => {
    const result = await checks(dockerfile({ manifests: '', install: 'RUN --mount=type=bind,target=. npm ci --omit=dev', source: 'COPY . .' }));
    expect(result.cache?.message).toMatch(/mounts the whole build context/);
  });

  it('npm ci without the lock file in place fails', async () => {
    const result = await checks(dockerfile({ manifests: 'COPY package.json ./' }));
    expect(result.cache?.message).toMatch(/package-lock\.json is not in \/app yet/);
  });

  it('cd and --prefix decide where packages go', async () => {
    expect(await failing(dockerfile({ workdir: 'WORKDIR /srv', manifests: 'COPY package*.json /app/', install: 'RUN cd /app && npm ci --omit=dev', source: 'COPY src /app/src', start: 'WORKDIR /app\nCMD ["node", "src/server.js"]' }))).toEqual([]);
  });
});

describe('the container runs as a non-root user', () => {
  it.each([
    ['USER root', false],
    ['USER 0:0', false],
    ['', false],
    ['USER 1000', true],
    ['USER node:node', true],
    ['USER shelf', false],
    ['RUN addgroup -S shelf && adduser -S -G shelf shelf\nUSER shelf', true],
    ['RUN useradd --system --uid 1001 shelf\nUSER shelf', true],
  ])('%j passes: %s', async (user, passes) => {
    const result = await checks(dockerfile({ user }));
    expect(result.user?.status).toBe(passes ? 'pass' : 'fail');
  });

  it('USER in a build stage does not carry into a final stage built from another image', async () => {
    const text = dockerfile({ from: 'FROM node:22-alpine AS build\nUSER node\nFROM node:22-alpine', user: '' });
    const result = await checks(text);
    expect(result.user?.message).toMatch(/never sets USER.*root/);
  });

  it('the nonroot tag of distroless is enough', async () => {
    const text = `FROM node:22-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev
COPY src ./src

FROM gcr.io/distroless/nodejs22-debian12:nonroot
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app /app
EXPOSE 3000
HEALTHCHECK CMD ["/nodejs/bin/node", "-e", "fetch('http://127.0.0.1:3000/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["src/server.js"]
`;
    expect(await failing(text)).toEqual([]);
    expect((await checks(text.replace(':nonroot', ''))).user?.status).toBe('fail');
    expect(await failing(text.replace(':nonroot', '').replace('EXPOSE', 'USER nonroot\nEXPOSE'))).toEqual([]);
  });
});

describe('EXPOSE matches the app port', () => {
  it('follows PORT when the Dockerfile sets it', async () => {
    const env = 'ENV NODE_ENV=production PORT=8080';
    const health = healthcheck.replace(':3000', ':8080');
    expect(await failing(dockerfile({ env, expose: 'EXPOSE 8080', health }))).toEqual([]);
    const result = await checks(dockerfile({ env, health }));
    expect(result.expose?.message).toMatch(/listens on 8080: PORT=8080 \(line 2\)/);
  });

  it('reads variables, protocols and ranges', async () => {
    expect(await failing(dockerfile({ expose: 'ARG APP_PORT=3000\nEXPOSE ${APP_PORT}/tcp' }))).toEqual([]);
    expect(await failing(dockerfile({ expose: 'EXPOSE 2999-3001' }))).toEqual([]);
  });

  it('fails without EXPOSE and with the wrong port', async () => {
    expect((await checks(dockerfile({ expose: '' }))).expose?.message).toMatch(/no EXPOSE/);
    expect((await checks(dockerfile({ expose: 'EXPOSE 80' }))).expose?.location?.line).toBe(8);
  });
});

describe('the start command: ENTRYPOINT and CMD read together', () => {
  it.each([
    ['CMD ["node", "src/server.js"]'],
    ['ENTRYPOINT ["node"]\nCMD ["src/server.js"]'],
    ['ENTRYPOINT ["node", "src/server.js"]'],
    ['CMD ["node", "--enable-source-maps", "src/server.js"]'],
    ['CMD ["node", "-r", "./src/app.js", "src/server.js"]'],
    ['CMD ["node", "src/server"]'],
    ['CMD ["/usr/local/bin/node", "/app/src/server.js"]'],
    // The node image's docker-entrypoint.sh runs `node` for a first argument that is not a command.
    ['CMD ["src/server.js"]'],
    ['RUN apk add --no-cache tini\nENTRYPOINT ["/sbin/tini", "--"]\nCMD ["node", "src/server.js"]'],
  ])('%s passes', async (start) => {
    expect(await failing(dockerfile({ start }))).toEqual([]);
  });

  it.each([
    ['CMD npm start', /shell form.*starts npm/s],
    ['CMD node src/server.js', /shell form/],
    ["CMD ['node', 'src/server.js']", /single quotes/],
    ['CMD ["npm", "start"]', /starts npm/],
    ['CMD ["sh", "-c", "node src/server.js"]', /starts a shell/],
    ['ENTRYPOINT node src/server.js\nCMD ["--inspect"]', /shell form.*ignores CMD/s],
    ['ENTRYPOINT ["node"]', /names no script/],
    ['', /sets no CMD.*node:22-alpine/],
    ['CMD ["node", "-e", "require(\'./src/server.js\')"]', /inline code/],
    ['CMD ["node", "server.js"]', /\/app\/src\/server\.js in the image/],
    ['CMD ["node", "src/app.js"]', /not the server: npm start runs src\/server\.js/],
    ['CMD ["node", "--env-file=.env", "src/server.js"]', /not in the image/],
    ['CMD ["python3", "src/server.js"]', /starts `python3`/],
  ])('%s fails', async (start, message) => {
    const result = await checks(dockerfile({ start }));
    expect(result.start?.status).toBe('fail');
    expect(result.start?.message).toMatch(message);
  });

  it('ENTRYPOINT resets the CMD inherited from the base image', async () => {
    const result = await checks(dockerfile({ start: 'ENTRYPOINT ["docker-entrypoint.sh"]' }));
    expect(result.start?.message).toMatch(/empty|no script/);
  });

  it('the script must be in the image: excluded by .dockerignore or never copied', async () => {
    const excluded = await checks(dockerfile(), `${goodIgnore}src/server.js\n`);
    expect(excluded.start?.message).toMatch(/\.dockerignore line 4 \(`src\/server\.js`\) excludes src\/server\.js/);
    const neverCopied = await checks(dockerfile({ source: 'COPY src/app.js ./src/' }));
    expect(neverCopied.start?.message).toMatch(/no COPY brings src\/server\.js/);
  });

  it('distroless: node is already the entrypoint, and not on the PATH', async () => {
    const base = `FROM node:22-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev
COPY src ./src
FROM gcr.io/distroless/nodejs22-debian12:nonroot
ENV NODE_ENV=production
WORKDIR /app
COPY --from=build /app /app
EXPOSE 3000
HEALTHCHECK CMD ["/nodejs/bin/node", "-e", "fetch('http://127.0.0.1:3000/health').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
`;
    expect((await checks(base + 'CMD ["src/server.js"]\n')).start?.status).toBe('pass');
    expect((await checks(base + 'CMD ["node", "src/server.js"]\n')).start?.message).toMatch(/node appears twice/);
    expect((await checks(base + 'ENTRYPOINT ["node"]\nCMD ["src/server.js"]\n')).start?.message).toMatch(/no `node` on its PATH.*\/nodejs\/bin\/node/);
  });
});

describe('a HEALTHCHECK probes /health', () => {
  it.each([
    ['HEALTHCHECK CMD wget -qO- http://localhost:3000/health || exit 1', 'FROM node:22-alpine'],
    ['HEALTHCHECK CMD curl -fsS http://localhost:3000/health || exit 1', 'FROM node:22-bookworm'],
    ['HEALTHCHECK CMD curl --fail http://localhost:3000/health', 'FROM node:22-slim\nRUN apt-get update && apt-get install -y curl'],
    ['HEALTHCHECK --interval=5s CMD wget -q -O /dev/null http://127.0.0.1:${PORT:-3000}/health', 'FROM node:22-alpine'],
    [healthcheck, 'FROM node:22-slim'],
    ['HEALTHCHECK CMD ["node", "-e", "fetch(`http://localhost:${process.env.PORT || 3000}/health`).then(r => process.exit(r.ok ? 0 : 1))"]', 'FROM node:22-alpine'],
  ])('%s on %s passes', async (health, from) => {
    expect((await checks(dockerfile({ health, from }))).health?.status).toBe('pass');
  });

  it.each([
    ['', 'FROM node:22-alpine', /no HEALTHCHECK/],
    ['HEALTHCHECK NONE', 'FROM node:22-alpine', /switches the health check off/],
    ['HEALTHCHECK CMD wget -qO- http://localhost:3000/ || exit 1', 'FROM node:22-alpine', /does not request \/health/],
    ['HEALTHCHECK CMD wget -qO- http://localhost:3000/healthz', 'FROM node:22-alpine', /does not request \/health/],
    ['HEALTHCHECK CMD curl -f http://localhost:3000/health', 'FROM node:22-alpine', /no `curl`/],
    ['HEALTHCHECK CMD wget -qO- http://localhost:3000/health', 'FROM node:22-slim', /no `wget`/],
    ['HEALTHCHECK CMD curl http://localhost:3000/health', 'FROM node:22', /--fail/],
    ['HEALTHCHECK CMD wget -qO- http://localhost:8080/health', 'FROM node:22-alpine', /probes port 8080, but the app listens on 3000/],
    ['HEALTHCHECK CMD wget -qO- http://localhost/health', 'FROM node:22-alpine', /port 80/],
    ['HEALTHCHECK CMD ["wget", "-qO-", "http://localhost:${PORT}/health"]', 'FROM node:22-alpine', /without a shell/],
    ['HEALTHCHECK CMD wget -qO- http://localhost:$PORT/health', 'FROM node:22-alpine', /PORT is not set/],
  ])('%s on %s fails', async (health, from, message) => {
    const result = await checks(dockerfile({ health, from }));
    expect(result.health?.status).toBe('fail');
    expect(result.health?.message).toMatch(message);
  });

  it('distroless has no shell and no node on the PATH for the probe', async () => {
    const base = (health: string) => `FROM gcr.io/distroless/nodejs22-debian12:nonroot
ENV NODE_ENV=production
WORKDIR /app
COPY --from=node:22-slim /usr/local/lib/node_modules /ignored
${health}
CMD ["src/server.js"]
`;
    const shellForm = await checks(base('HEALTHCHECK CMD /nodejs/bin/node -e "fetch(\'http://127.0.0.1:3000/health\')"'));
    expect(shellForm.health?.message).toMatch(/no \/bin\/sh/);
    const bareNode = await checks(base('HEALTHCHECK CMD ["node", "-e", "fetch(\'http://127.0.0.1:3000/health\')"]'));
    expect(bareNode.health?.message).toMatch(/no `node` on its PATH \(it is at \/nodejs\/bin\/node\)/);
    const absolute = await checks(base('HEALTHCHECK CMD ["/nodejs/bin/node", "-e", "fetch(\'http://127.0.0.1:3000/health\')"]'));
    expect(absolute.health?.status).toBe('pass');
  });

  it('an unknown base image gets the benefit of the doubt about its programs', async () => {
    const result = await checks(dockerfile({ from: 'FROM example.com/team/node-base:22', health: 'HEALTHCHECK CMD curl -f http://localhost:3000/health' }));
    expect(result.health?.status).toBe('pass');
  });
});

describe('NODE_ENV is production in the final image', () => {
  it('ARG lasts only during the build', async () => {
    const result = await checks(dockerfile({ env: 'ARG NODE_ENV=production' }));
    expect(result.env?.message).toMatch(/ARG/);
    expect(result.env?.location?.line).toBe(2);
  });

  it('ENV is inherited through FROM <stage>, not through FROM <image>', async () => {
    const inherits = dockerfile({ from: 'FROM node:22-alpine AS base\nENV NODE_ENV=production\nFROM base', env: '' });
    expect(await failing(inherits)).toEqual([]);
    const separate = dockerfile({ from: 'FROM node:22-alpine AS base\nENV NODE_ENV=production\nFROM node:22-alpine', env: '', install: 'RUN npm ci --omit=dev' });
    expect((await checks(separate)).env?.message).toMatch(/stage "base".*does not inherit/);
  });

  it('another value fails', async () => {
    expect((await checks(dockerfile({ env: 'ENV NODE_ENV=development' }))).env?.message).toMatch(/`development`/);
  });
});

describe('no secret is baked in', () => {
  it.each([
    ['API_KEY', true],
    ['SHELF_ADMIN_TOKEN', true],
    ['DB_PASSWORD', true],
    ['jwtSecret', true],
    ['NPM_TOKEN', true],
    ['TOKEN_FILE', false],
    ['DB_PASSWORD_FILE', false],
    ['AUTHOR', false],
    ['NODE_ENV', false],
    ['PORT', false],
    ['KEYCLOAK_URL', false],
  ])('%s looks secret: %s', (name, secret) => {
    expect(secretLikeName(name)).toBe(secret);
  });

  it('flags ENV and ARG with a secret-like name and a value, each with its line', async () => {
    const result = await checks(dockerfile({ env: 'ENV NODE_ENV=production API_KEY=abc123\nARG NPM_TOKEN=npm_abcdefghijklmnopqrstuvwxyz123456' }));
    expect(result.secrets?.status).toBe('fail');
    expect(result.secrets?.location?.line).toBe(2);
    expect(result.secrets?.message).toMatch(/Line 2: `ENV API_KEY`.*Line 3: `ARG NPM_TOKEN` has a value that looks like an npm token/s);
    expect(result.secrets?.message).not.toContain('abc123');
  });

  it('flags a secret value whatever the name, including the old ENV syntax', async () => {
    const result = await checks(dockerfile({ env: 'ENV NODE_ENV=production\nENV DATABASE_URL postgres://shelf:hunter2@db:5432/shelf' }));
    expect(result.secrets?.message).toMatch(/URL with a password/);
  });

  it('a build argument copied into ENV is baked in, and the message says where the value came from', async () => {
    const result = await checks(dockerfile({ env: 'ENV NODE_ENV=production\nARG NPM_TOKEN\nENV NPM_TOKEN=${NPM_TOKEN}' }));
    expect(result.secrets?.status).toBe('fail');
    expect(result.secrets?.message).toBe(
      'Line 4: `ENV NPM_TOKEN` takes its value from `${NPM_TOKEN}` while the image builds, and every container of the image can read it.',
    );
  });

  it('a declared ARG without a value, a secret file path or an empty value is fine', async () => {
    expect(await failing(dockerfile({ env: 'ENV NODE_ENV=production DB_PASSWORD_FILE=/run/secrets/db API_KEY=\nARG NPM_TOKEN' }))).toEqual([]);
  });

  it('.env that reaches the final image through a stage is found, with both lines', async () => {
    const text = dockerfile({ from: 'FROM node:22-alpine AS build\nWORKDIR /app\nCOPY . .\nFROM node:22-alpine', source: 'COPY src ./src\nCOPY --from=build /app/.env ./' });
    const result = await checks(text, 'node_modules\n.git\n');
    expect(result.secrets?.message).toMatch(/\.env is in the final image at \/app\/\.env \(copied at line 3, then into the final image at line 10\)/);
  });

  it('.env copied into a build stage that the final image never copies does not reach it', async () => {
    const text = dockerfile({ from: 'FROM node:22-alpine AS build\nWORKDIR /app\nCOPY . .\nRUN npm test\nFROM node:22-alpine' });
    expect((await checks(text, 'node_modules\n.git\n')).secrets?.status).toBe('pass');
  });
});

describe('.dockerignore keeps node_modules, .git and .env out', () => {
  it('a missing file fails the rule, not the grade', async () => {
    const result = await checks(dockerfile(), null);
    expect(result.ignore?.status).toBe('fail');
    expect(result.ignore?.location).toEqual({ file: '.dockerignore' });
    expect(result.parses?.status).toBe('pass');
  });

  it('names what is not excluded, and the exception that brought it back', async () => {
    const result = await checks(dockerfile(), 'node_modules\n.env*\n!.env\n');
    expect(result.ignore?.message).toMatch(/line 3 \(`!\.env`\) brings it back/);
    expect(result.ignore?.message).toMatch(/Nothing in \.dockerignore matches \.git/);
    expect(result.ignore?.location).toEqual({ file: '.dockerignore', line: 3 });
  });

  it('an allow-list counts, and COPY . . then copies only what it allows', async () => {
    expect(await failing(dockerfile({ source: 'COPY . .' }), '*\n!src\n!package*.json\n')).toEqual([]);
  });

  it('**/ patterns count', async () => {
    expect(await failing(dockerfile(), '**/node_modules\n**/.git\n**/.env\n')).toEqual([]);
  });
});

describe('COPY rather than ADD, and a WORKDIR', () => {
  it('ADD for local files fails; ADD for a URL or an archive does not', async () => {
    expect((await checks(dockerfile({ source: 'ADD src ./src' }))).copy?.message).toMatch(/Line 6 uses ADD for local files \(src\)/);
    expect((await checks(dockerfile({ source: 'COPY src ./src\nADD https://example.com/ca.pem /etc/ssl/ca.pem' }))).copy?.status).toBe('pass');
  });

  it('no WORKDIR: the copies land in / and the rule says so', async () => {
    const result = await checks(dockerfile({ workdir: '' }));
    expect(result.copy?.message).toMatch(/Line 3 copies into \/ because the final stage has no WORKDIR/);
    expect(result.copy?.message).toMatch(/installs into \/node_modules/);
  });
});

describe('the kind as a whole', () => {
  it('every failed rule has a message, its hint, and a location', async () => {
    const outcome = await grade('FROM node\nCOPY . .\nRUN npm install\nCMD npm start\n', null);
    const failed = outcome.checks.filter((check) => check.status === 'fail');
    expect(failed.map((check) => check.id)).toEqual(['pinned', 'deps', 'cache', 'user', 'expose', 'start', 'health', 'env', 'secrets', 'ignore', 'copy']);
    for (const check of failed) {
      expect(check.message, check.id).toBeTruthy();
      expect(check.hint, check.id).toBe(hint);
      expect(check.location?.file, check.id).toBeTruthy();
    }
    expect(failed.filter((check) => check.location?.file === 'Dockerfile').every((check) => typeof check.location?.line === 'number')).toBe(true);
    expect(outcome.summary).toBe('1 of 12 Dockerfile rules met');
  });

  it('grading twice gives the same verdicts (no state kept between grades)', async () => {
    const first = await grade(dockerfile({ user: '' }));
    const second = await grade(dockerfile({ user: '' }));
    expect(second.checks).toEqual(first.checks);
  });

  it('stops judging when the grade is aborted', async () => {
    const controller = new AbortController();
    controller.abort();
    const outcome = await grade(dockerfile(), goodIgnore, controller.signal);
    expect(outcome.checks.every((check) => check.status === 'skipped')).toBe(true);
  });
});

describe('reading RUN lines', () => {
  it('splits commands on operators and keeps quoted words whole', () => {
    expect(splitShell(`NODE_ENV=production npm ci --omit=dev && echo "a && b" ; ls 'x y' | wc -l`).map((command) => command.argv)).toEqual([
      ['npm', 'ci', '--omit=dev'],
      ['echo', 'a && b'],
      ['ls', 'x y'],
      ['wc', '-l'],
    ]);
    expect(splitShell('NODE_ENV=production npm ci')[0]?.assignments.get('NODE_ENV')).toBe('production');
  });

  it('drops redirections and comments', () => {
    expect(splitShell('npm ci > /dev/null 2>&1 # quiet\nnpm test 2> err.log').map((command) => command.argv)).toEqual([
      ['npm', 'ci'],
      ['npm', 'test'],
    ]);
  });
});

describe('patterns inside the Dockerfile', () => {
  it('a COPY source Docker cannot compile is a syntax error at its line', async () => {
    const error = await syntaxError(dockerfile({ source: 'COPY src/[abc ./src/' }));
    expect(error.details.location).toEqual({ file: 'Dockerfile', line: 6 });
    expect(error.message).toMatch(/src\/\[abc/);
  });

  it('COPY --exclude leaves the excluded files out of the image', async () => {
    const result = await checks(dockerfile({ source: 'COPY --exclude=.env . .' }), 'node_modules\n.git\n');
    expect(result.secrets?.status).toBe('pass');
    expect(result.ignore?.status).toBe('fail');
  });
});
