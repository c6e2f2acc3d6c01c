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
  startsNodeInExecForm,
} from '../../graders/dockerfile/index.ts';

/** The Shelf API listens on PORT (3000 by default) and answers GET /health; `npm start` names its entry file. */
export default dockerfileGrader({
  app: { port: 3000, portVariable: 'PORT', healthPath: '/health' },
  rules: [
    rule('The Dockerfile parses, and every COPY finds its files', parses, {
      id: 'parses',
      hint: 'Docker reads the whole Dockerfile before it runs a single step, so one malformed line stops every build. A COPY can only take what the build context holds after .dockerignore has had its say.',
    }),
    rule('The base image is pinned to a version', pinnedBaseImages, {
      id: 'pinned-base',
      hint: 'A tag such as `latest` moves: the same Dockerfile builds on a new major version of Node one day and breaks with nobody having changed a line. A tag that names the major version (or a digest) keeps builds repeatable.',
    }),
    rule('Dependencies come from npm ci, production ones only', productionDependencies, {
      id: 'production-deps',
      points: 2,
      hint: '`npm ci` installs exactly what the lock file says and fails when it disagrees with package.json; `npm install` may resolve newer versions. Test tools in the final image add size and attack surface that production never uses: leave devDependencies out of what ships, or install them only in a stage the final image does not copy.',
    }),
    rule('Dependencies are installed before the source is copied', installsBeforeSource, {
      id: 'layer-cache',
      points: 2,
      hint: 'Docker reuses a layer only while everything before it is unchanged. When the install step needs nothing but package.json and the lock file, editing the source reuses the installed dependencies; when the whole source is copied first, every edit reinstalls everything.',
    }),
    rule('The container runs as a non-root user', nonRootUser, {
      id: 'non-root',
      points: 2,
      hint: 'A process that runs as root inside the container is root on the files it can reach, and one step away from the host if it escapes. The server needs no privileges, and the image you build on may already have an unprivileged user.',
    }),
    rule('EXPOSE matches the port the app listens on', exposesAppPort, {
      id: 'expose-port',
      hint: 'EXPOSE is the image documenting where the app listens; `docker run -P` and many platforms use it. Look at how src/server.js picks its port, and at whether the Dockerfile changes that.',
    }),
    rule('The container starts node directly, in exec form', startsNodeInExecForm, {
      id: 'start-command',
      points: 2,
      hint: 'In shell form (or through npm) a shell or npm is the container\'s main process: it does not pass on the SIGTERM of `docker stop`, so the server never shuts down cleanly and is killed after 10 s. The exec form (a JSON array) runs the program itself; ENTRYPOINT and CMD are joined into one command, and the file must be in the image where the command looks for it.',
    }),
    rule('A HEALTHCHECK probes /health', healthcheckProbesHealth, {
      id: 'healthcheck',
      hint: 'A running process is not a working server. A HEALTHCHECK lets Docker (and the orchestrator above it) see that the API stopped answering and restart or replace it. The probe only helps if it can run in the image, asks the right port and fails when the answer is an error.',
    }),
    rule('NODE_ENV is production in the final image', nodeEnvProduction, {
      id: 'node-env',
      hint: 'Express and many libraries switch on NODE_ENV: in production they cache, log less and hide stack traces from clients. Only ENV lasts into the running container; ARG exists only while the image builds.',
    }),
    rule('No secret is baked into the image', noBakedSecrets, {
      id: 'no-secrets',
      points: 2,
      hint: 'Everything in an image, its ENV, its build arguments and its files, can be read by anyone who can pull it, and stays in its layers even if a later step deletes it. Secrets come from the environment at run time (or a secret mount at build time), never from the Dockerfile or the build context.',
    }),
    rule('.dockerignore keeps node_modules, .git and .env out of the build context', excludesFromContext('node_modules', '.git', '.env'), {
      id: 'dockerignore',
      points: 2,
      hint: 'docker build sends the whole folder to the builder before the first step. Your own node_modules is large and built for your machine, .git holds the whole history, and .env holds real credentials: none of them belongs in an image, and a `COPY . .` would take them all.',
    }),
    rule('COPY rather than ADD, and a WORKDIR other than /', copyAndWorkdir, {
      id: 'copy-workdir',
      hint: 'ADD also downloads URLs and unpacks archives, so it can do more than you meant; COPY does one thing. Without a WORKDIR the app\'s files land in the image\'s root, mixed with /etc and /usr.',
    }),
  ],
});
