import type { IncomingMessage } from 'node:http';
import { isIP } from 'node:net';

/**
 * The checks that stand between a web page and code execution on the learner's machine
 * (ARCHITECTURE.md, Runtimes). Each is a pure function of the request, so the tests can prove
 * them one by one, and the endpoint handler runs all of them before any engine code.
 */

/** How a host appears in a Host header: IPv6 in brackets, IPv4-mapped IPv6 as plain IPv4. */
export function hostForm(address: string): string {
  const plain = address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
  return isIP(plain) === 6 ? `[${plain}]` : plain.toLowerCase();
}

function isLoopback(address: string): boolean {
  const plain = address.startsWith('::ffff:') ? address.slice(7) : address;
  return plain === '::1' || plain.startsWith('127.');
}

/**
 * The Host values this connection may carry: the address and port it actually arrived at (so a
 * server bound to 0.0.0.0 answers as whichever interface was used), `localhost` on a loopback
 * connection (browsers resolve it themselves, so it cannot be rebound), and any names the server
 * was explicitly started with (`--host myname.local`). A DNS-rebinding page reaches us under its
 * own name, which is none of these, and is refused.
 */
export function allowedHosts(localAddress: string, localPort: number, extraNames: readonly string[] = []): Set<string> {
  const withPort = (host: string) => (localPort === 80 ? [host, `${host}:80`] : [`${host}:${localPort}`]);
  const hosts = new Set<string>(withPort(hostForm(localAddress)));
  if (isLoopback(localAddress)) {
    for (const host of ['localhost', '127.0.0.1', '[::1]']) for (const value of withPort(host)) hosts.add(value);
  }
  for (const name of extraNames) for (const value of withPort(hostForm(name))) hosts.add(value);
  return hosts;
}

/** The Host header if it names this server; `undefined` otherwise. */
export function checkHost(request: IncomingMessage, extraNames: readonly string[] = []): string | undefined {
  const host = request.headers.host?.toLowerCase();
  const { localAddress, localPort } = request.socket;
  if (!host || !localAddress || !localPort) return undefined;
  return allowedHosts(localAddress, localPort, extraNames).has(host) ? host : undefined;
}

/**
 * Browsers label every request with where it came from. A page on another site may send a
 * request (it just cannot read the answer): refuse anything a browser marks as not ours.
 * Tools without the header (curl, tests) fall through to the token check.
 */
export function isCrossSite(request: IncomingMessage): boolean {
  const site = request.headers['sec-fetch-site'];
  return site !== undefined && site !== 'same-origin' && site !== 'none';
}

/** A POST must come from a page of this very server: `Origin` equals `http://<Host>`. */
export function isSameOrigin(request: IncomingMessage, host: string): boolean {
  return request.headers.origin === `http://${host}`;
}

/** The token comparison takes the same time whatever prefix matches. */
export function tokenMatches(given: string | string[] | undefined, token: string): boolean {
  if (typeof given !== 'string' || given.length !== token.length) return false;
  let difference = 0;
  for (let index = 0; index < token.length; index++) difference |= given.charCodeAt(index) ^ token.charCodeAt(index);
  return difference === 0;
}

export type ConfinedPath = { ok: true; path: string } | { ok: false; reason: string };

/**
 * Normalises a submitted file path and refuses any that could leave the submission folder.
 * Harmless spellings (`./a`, `a//b`, `a/./b`) become `a`, `a/b`; anything that climbs out, is
 * absolute, or uses characters a path has no business holding is refused with the reason.
 */
export function confinePath(raw: string): ConfinedPath {
  if (raw.includes('\0')) return { ok: false, reason: 'contains a NUL character' };
  if (/[\u0000-\u001f\u007f]/.test(raw)) return { ok: false, reason: 'contains a control character' };
  if (raw.includes('\\')) return { ok: false, reason: 'uses a backslash; use forward slashes' };
  if (raw.startsWith('/') || /^[a-zA-Z]:/.test(raw) || raw.startsWith('~')) return { ok: false, reason: 'is absolute; send paths relative to the exercise folder' };
  const segments = raw.split('/').filter((segment) => segment !== '' && segment !== '.');
  if (segments.includes('..')) return { ok: false, reason: 'climbs out of the exercise folder with ".."' };
  if (segments.length === 0) return { ok: false, reason: 'names no file' };
  return { ok: true, path: segments.join('/') };
}
