/**
 * What the grader knows about the base images a Node.js service is usually built on: their
 * default user, entrypoint and command, and which programs a health check can call. An image
 * it does not know is judged leniently (every `null` below means "unknown, assume it works").
 */

export interface ImageReference {
  /** As written after expansion, for example `node:22-alpine`. */
  text: string;
  registry: string | null;
  /** Repository path without the registry, for example `node` or `distroless/nodejs22-debian12`. */
  name: string;
  tag: string | null;
  digest: string | null;
}

export interface BaseImage {
  /** How messages name it: "node:22-alpine". */
  label: string;
  family: 'node' | 'distroless-node' | 'scratch' | 'unknown';
  variant: 'full' | 'slim' | 'alpine' | 'distroless' | 'distroless-debug' | null;
  entrypoint: string[] | null;
  cmd: string[] | null;
  /** The user the image runs as when the Dockerfile sets none. */
  user: string;
  /** User names that exist in the image; null when unknown. */
  users: ReadonlySet<string> | null;
  /** Programs on the PATH; null when unknown. */
  tools: ReadonlySet<string> | null;
  /** Absolute paths of programs that are not on the PATH but exist. */
  binaries: ReadonlySet<string>;
  /** Whether `/bin/sh` exists (shell-form commands need it); null when unknown. */
  shell: boolean | null;
}

const nodeUsers = new Set(['root', 'node', 'nobody', 'daemon', 'bin']);
const distrolessUsers = new Set(['root', 'nonroot', 'nobody']);

/** Parses an image reference as Docker reads it: `[registry/]name[:tag][@digest]`. */
export function parseImageReference(text: string): ImageReference {
  let rest = text;
  let digest: string | null = null;
  const at = rest.indexOf('@');
  if (at !== -1) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  let tag: string | null = null;
  const colon = rest.lastIndexOf(':');
  if (colon > rest.lastIndexOf('/')) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  let registry: string | null = null;
  const slash = rest.indexOf('/');
  if (slash !== -1) {
    const first = rest.slice(0, slash);
    if (first.includes('.') || first.includes(':') || first === 'localhost') {
      registry = first;
      rest = rest.slice(slash + 1);
    }
  }
  return { text, registry, name: rest, tag, digest };
}

function isDockerHub(reference: ImageReference): boolean {
  return reference.registry === null || reference.registry === 'docker.io' || reference.registry === 'index.docker.io' || reference.registry === 'registry-1.docker.io';
}

/** Everything the grader knows about `reference`. */
export function describeBaseImage(reference: ImageReference): BaseImage {
  const label = reference.text;
  const tag = (reference.tag ?? 'latest').toLowerCase();
  if (reference.name === 'scratch' && reference.registry === null) {
    return { label, family: 'scratch', variant: null, entrypoint: null, cmd: null, user: 'root', users: new Set(), tools: new Set(), binaries: new Set(), shell: false };
  }
  if (isDockerHub(reference) && (reference.name === 'node' || reference.name === 'library/node')) {
    const variant = tag.includes('alpine') ? 'alpine' : tag.includes('slim') ? 'slim' : 'full';
    // Alpine's busybox brings wget but not curl; slim images have neither; the full Debian
    // images are built on buildpack-deps, which has both.
    const tools = new Set(['node', 'npm', 'npx', 'corepack', 'yarn', 'sh', 'docker-entrypoint.sh']);
    if (variant !== 'alpine') tools.add('bash');
    if (variant === 'alpine') tools.add('wget');
    if (variant === 'full') for (const tool of ['curl', 'wget', 'git']) tools.add(tool);
    return {
      label,
      family: 'node',
      variant,
      entrypoint: ['docker-entrypoint.sh'],
      cmd: ['node'],
      user: 'root',
      users: nodeUsers,
      tools,
      binaries: new Set(['/usr/local/bin/node', '/usr/local/bin/docker-entrypoint.sh', '/bin/sh']),
      shell: true,
    };
  }
  if (reference.registry === 'gcr.io' && /^distroless\/nodejs/.test(reference.name)) {
    const debug = tag.includes('debug');
    const nonroot = tag.includes('nonroot');
    // Distroless has no shell and no package manager; node lives at /nodejs/bin/node and is
    // not on the PATH. The debug variants add busybox (a shell and wget) under /busybox.
    return {
      label,
      family: 'distroless-node',
      variant: debug ? 'distroless-debug' : 'distroless',
      entrypoint: ['/nodejs/bin/node'],
      cmd: null,
      user: nonroot ? 'nonroot' : 'root',
      users: distrolessUsers,
      tools: debug ? new Set(['sh', 'wget']) : new Set(),
      binaries: new Set(['/nodejs/bin/node', ...(debug ? ['/busybox/sh', '/busybox/wget'] : [])]),
      shell: debug,
    };
  }
  return { label, family: 'unknown', variant: null, entrypoint: null, cmd: null, user: 'root', users: null, tools: null, binaries: new Set(), shell: null };
}

/** A stage built `FROM` another stage, or from nothing the grader can name. */
export const unknownBase: BaseImage = describeBaseImage(parseImageReference('unknown'));

/** Node.js release lines by codename: `node:iron` is as pinned as `node:20`. */
const nodeCodenames = new Set(['argon', 'boron', 'carbon', 'dubnium', 'erbium', 'fermium', 'gallium', 'hydrogen', 'iron', 'jod', 'krypton']);

export type PinVerdict = { pinned: true; how: string } | { pinned: false; why: string };

/**
 * Whether a reference names at least a major version. A digest pins exactly; a tag pins when
 * it starts with a version (`22`, `22.11-alpine`, `v22`) or names a release line (`iron`); an
 * image whose name carries the version (`distroless/nodejs22-debian12`) pins its major line,
 * whatever its tag (`nonroot`, or none).
 */
export function pinOf(reference: ImageReference): PinVerdict {
  if (reference.digest) return { pinned: true, how: `pinned by digest ${reference.digest.slice(0, 19)}…` };
  const tag = reference.tag;
  const nameVersion = /[a-z]\d+(?:[.-]|$)/i.test(reference.name.split('/').pop() ?? '');
  if (tag && /^v?\d+/i.test(tag)) return { pinned: true, how: `tag ${tag}` };
  if (tag && nodeCodenames.has(tag.toLowerCase().split('-')[0] ?? '')) return { pinned: true, how: `release line ${tag}` };
  if (nameVersion) return { pinned: true, how: `the version in the image name ${reference.name}` };
  if (!tag) return { pinned: false, why: `has no tag, so Docker pulls \`${reference.text}:latest\`, whatever that is on the day of the build` };
  if (tag === 'latest') return { pinned: false, why: 'uses the tag `latest`, which moves to each new release' };
  return { pinned: false, why: `uses the tag \`${tag}\`, which names no version and moves to new releases` };
}
