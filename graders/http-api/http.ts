import http from 'node:http';
import { isDeepStrictEqual } from 'node:util';

/**
 * Real HTTP requests to a learner's server, the reply they get, and the assertions a probe makes
 * on it. Plain `node:http` with a fresh connection per request: no pooled sockets survive the
 * learner's server, and a hung handler costs exactly one socket that is destroyed on timeout.
 */

/** A request as the grader sent it (and as the learner can replay it with curl). */
export interface SentRequest {
  method: string;
  /** Path and query, starting with `/`. */
  path: string;
  headers: Readonly<Record<string, string>>;
  body?: string;
  /** What the request is for, when that is not plain from the check (set-up, a follow-up read). */
  purpose?: string;
}

export interface RequestOptions {
  /** Sent as JSON with `Content-Type: application/json`. */
  json?: unknown;
  /** Sent as is (for bodies that are deliberately not valid JSON). */
  body?: string;
  headers?: Record<string, string>;
  /** Set-up and follow-up requests say what they are for, so a failure reads "While creating a book to test with: …". */
  purpose?: string;
}

/** Builds the request a probe line such as `POST /books` describes. */
export function buildRequest(line: string, options: RequestOptions = {}): SentRequest {
  const match = /^(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS) (\/\S*)$/.exec(line);
  if (!match) throw new Error(`A probe is written "METHOD /path", got "${line}"`);
  const headers: Record<string, string> = {};
  let body: string | undefined;
  if (options.json !== undefined) {
    headers['Content-Type'] = 'application/json';
    body = JSON.stringify(options.json);
  }
  if (options.body !== undefined) body = options.body;
  Object.assign(headers, options.headers);
  return {
    method: match[1] as string,
    path: match[2] as string,
    headers,
    ...(body !== undefined ? { body } : {}),
    ...(options.purpose ? { purpose: options.purpose } : {}),
  };
}

export interface RawResponse {
  status: number;
  statusText: string;
  /** Lower-case names; repeated headers joined with ", ". */
  headers: Record<string, string>;
  text: string;
}

export type SendResult =
  | { kind: 'response'; response: RawResponse }
  | { kind: 'timeout' }
  | { kind: 'refused' }
  | { kind: 'connection'; code: string };

/** Bodies past this are cut: a probe never needs more, and a runaway body must not fill memory. */
const maxBodyBytes = 1024 * 1024;

/** Sends one request on a fresh connection; never throws for what the server does. */
export function send(host: string, port: number, request: SentRequest, timeoutMs: number, signal?: AbortSignal): Promise<SendResult> {
  return new Promise((resolve) => {
    let settled = false;
    const headers: Record<string, string> = { ...request.headers };
    if (request.body !== undefined) headers['Content-Length'] = String(Buffer.byteLength(request.body));
    const outgoing = http.request({ host, port, method: request.method, path: request.path, headers, agent: false });
    const settle = (result: SendResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
      outgoing.destroy();
      resolve(result);
    };
    const timer = setTimeout(() => settle({ kind: 'timeout' }), Math.max(1, timeoutMs));
    const onAbort = () => settle({ kind: 'timeout' });
    signal?.addEventListener('abort', onAbort, { once: true });
    if (signal?.aborted) onAbort();
    outgoing.on('error', (error: NodeJS.ErrnoException) => {
      settle(error.code === 'ECONNREFUSED' ? { kind: 'refused' } : { kind: 'connection', code: error.code ?? error.message });
    });
    outgoing.on('response', (incoming) => {
      const chunks: Buffer[] = [];
      let size = 0;
      incoming.on('data', (chunk: Buffer) => {
        if (size >= maxBodyBytes) return;
        chunks.push(chunk);
        size += chunk.length;
      });
      incoming.on('error', () => undefined);
      incoming.on('end', () => {
        const headerMap: Record<string, string> = {};
        for (const [name, value] of Object.entries(incoming.headers)) {
          if (value !== undefined) headerMap[name.toLowerCase()] = Array.isArray(value) ? value.join(', ') : value;
        }
        settle({
          kind: 'response',
          response: {
            status: incoming.statusCode ?? 0,
            statusText: incoming.statusMessage ?? '',
            headers: headerMap,
            text: Buffer.concat(chunks).toString('utf8'),
          },
        });
      });
    });
    outgoing.end(request.body);
  });
}

/** A probe's observation did not match the contract: the check fails with this message. */
export class ProbeFailure extends Error {
  readonly request: SentRequest;
  readonly reply?: Reply;
  constructor(message: string, request: SentRequest, reply?: Reply) {
    super(message);
    this.name = 'ProbeFailure';
    this.request = request;
    this.reply = reply;
  }
}

/** A request got no complete answer within its time limit: the check's status is `timeout`. */
export class ProbeTimeout extends Error {
  readonly request: SentRequest;
  readonly serverOutput: string;
  constructor(message: string, request: SentRequest, serverOutput: string) {
    super(message);
    this.name = 'ProbeTimeout';
    this.request = request;
    this.serverOutput = serverOutput;
  }
}

export type JsonType = 'string' | 'number' | 'integer' | 'boolean' | 'array' | 'object' | 'null';

/** What came back from the learner's server, with the assertions probes chain on it. */
export class Reply {
  readonly request: SentRequest;
  readonly status: number;
  readonly statusText: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly text: string;
  /** What the server printed while it handled this request (a stack trace, for a 500). */
  readonly serverOutput: string;
  private parsed: { ok: true; value: unknown } | { ok: false; error: string } | undefined;

  constructor(request: SentRequest, response: RawResponse, serverOutput = '') {
    this.request = request;
    this.status = response.status;
    this.statusText = response.statusText;
    this.headers = response.headers;
    this.text = response.text;
    this.serverOutput = serverOutput;
  }

  header(name: string): string | undefined {
    return this.headers[name.toLowerCase()];
  }

  /** The body parsed as JSON, or `undefined` when it is not JSON. */
  get json(): unknown {
    const parsed = this.parse();
    return parsed.ok ? parsed.value : undefined;
  }

  /** A value inside the JSON body by dotted path (`items.0.id`, `items.length`, `error.fields.isbn`). */
  field(path: string): unknown {
    let value: unknown = this.json;
    for (const key of path.split('.')) {
      if (key === 'length' && (Array.isArray(value) || typeof value === 'string')) value = value.length;
      else if (value !== null && typeof value === 'object' && Object.hasOwn(value, key)) value = (value as Record<string, unknown>)[key];
      else return undefined;
    }
    return value;
  }

  private parse(): { ok: true; value: unknown } | { ok: false; error: string } {
    if (!this.parsed) {
      try {
        this.parsed = { ok: true, value: JSON.parse(this.text) };
      } catch (error) {
        this.parsed = { ok: false, error: error instanceof Error ? error.message : String(error) };
      }
    }
    return this.parsed;
  }

  /** Throws a failure about this reply. */
  fail(message: string): never {
    throw new ProbeFailure(message, this.request, this);
  }

  expectStatus(expected: number | readonly number[], why?: string): this {
    const list = typeof expected === 'number' ? [expected] : expected;
    if (!list.includes(this.status)) {
      const wanted = list.map((code) => describeStatus(code)).join(' or ');
      this.fail(`Expected ${wanted}${why ? ` (${why})` : ''}, got ${describeStatus(this.status, this.statusText)}.`);
    }
    return this;
  }

  /** Any 2xx status: for set-up steps that need the request to have worked, however it says so. */
  expectSuccess(why?: string): this {
    if (this.status < 200 || this.status > 299) this.fail(`Expected a 2xx status${why ? ` (${why})` : ''}, got ${describeStatus(this.status, this.statusText)}.`);
    return this;
  }

  /** A JSON body, labelled `Content-Type: application/json`. */
  expectJson(): this {
    const type = this.header('content-type');
    if (!type || !/^application\/json\b/i.test(type)) {
      this.fail(
        type
          ? `Expected a JSON body with \`Content-Type: application/json\`, got \`Content-Type: ${type}\`.`
          : this.text === ''
            ? 'Expected a JSON body, got an empty body with no Content-Type.'
            : 'Expected a JSON body with `Content-Type: application/json`, got no Content-Type header.',
      );
    }
    const parsed = this.parse();
    if (!parsed.ok) this.fail(`The body is labelled JSON but does not parse: ${parsed.error}.`);
    return this;
  }

  expectEmptyBody(): this {
    if (this.text !== '') this.fail(`Expected an empty body, got ${this.text.length} characters.`);
    return this;
  }

  expectHeader(name: string, test?: (value: string) => boolean, description?: string): this {
    const value = this.header(name);
    if (value === undefined) this.fail(`Expected a \`${name}\` header${description ? ` (${description})` : ''}, but there is none.`);
    if (test && !test(value)) this.fail(`Expected the \`${name}\` header to be ${description ?? 'different'}, got \`${value}\`.`);
    return this;
  }

  /** A field of the JSON body equals `expected` (deep, strict). */
  expectField(path: string, expected: unknown, why?: string): this {
    const actual = this.field(path);
    if (!isDeepStrictEqual(actual, expected)) {
      this.fail(`Expected \`${path}\` to be ${show(expected)}${why ? ` (${why})` : ''}, got ${actual === undefined ? 'nothing (the field is missing)' : show(actual)}.`);
    }
    return this;
  }

  expectFieldType(path: string, type: JsonType): this {
    const actual = this.field(path);
    if (jsonType(actual) !== type && !(type === 'number' && jsonType(actual) === 'integer')) {
      this.fail(`Expected \`${path}\` to be ${article(type)}, got ${actual === undefined ? 'nothing (the field is missing)' : show(actual)}.`);
    }
    return this;
  }

  /** The contract's error shape: `{"error": {"message": "...", "fields": {<field>: "..."}}}`. */
  expectError(status: number | readonly number[], options: { fields?: readonly string[]; why?: string } = {}): this {
    this.expectStatus(status, options.why).expectJson();
    const message = this.field('error.message');
    if (typeof message !== 'string' || message.trim() === '') {
      this.fail(`Expected an error body \`{"error": {"message": "..."}}\`, got ${shortBody(this.text)}.`);
    }
    const fields = options.fields ?? [];
    if (fields.length > 0) {
      const named = this.field('error.fields');
      const missing = fields.filter((name) => typeof this.field(`error.fields.${name}`) !== 'string');
      if (missing.length > 0) {
        this.fail(
          named === undefined || named === null || typeof named !== 'object'
            ? `Expected \`error.fields\` to explain ${list(fields)}, but the error has no \`fields\` object.`
            : `Expected \`error.fields\` to explain ${list(missing)}; it names only ${list(Object.keys(named)) || 'nothing'}.`,
        );
      }
    }
    return this;
  }

  /** Any other observation: `description` says what was expected. */
  expect(test: (reply: this) => boolean, description: string): this {
    if (!test(this)) this.fail(`Expected ${description}.`);
    return this;
  }
}

const statusNames: Record<number, string> = {
  200: 'OK',
  201: 'Created',
  204: 'No Content',
  400: 'Bad Request',
  404: 'Not Found',
  405: 'Method Not Allowed',
  409: 'Conflict',
  500: 'Internal Server Error',
};

export function describeStatus(code: number, text?: string): string {
  const name = text || statusNames[code] || http.STATUS_CODES[code] || '';
  return name ? `${code} ${name}` : String(code);
}

function jsonType(value: unknown): JsonType | 'undefined' {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  if (typeof value === 'string' || typeof value === 'boolean' || typeof value === 'object') return typeof value as JsonType;
  return 'undefined';
}

function article(type: JsonType): string {
  return type === 'null' ? 'null' : `${/^[aeiou]/.test(type) ? 'an' : 'a'} ${type}`;
}

function list(names: readonly string[]): string {
  return names.map((name) => `\`${name}\``).join(', ');
}

/** A value as JSON, cut to a readable length. */
export function show(value: unknown): string {
  const text = value === undefined ? 'undefined' : JSON.stringify(value);
  return text.length > 120 ? `${text.slice(0, 117)}…` : text;
}

function shortBody(text: string): string {
  if (text === '') return 'an empty body';
  return `\`${text.length > 120 ? `${text.slice(0, 117)}…` : text}\``;
}

/** Quotes a word for a POSIX shell. */
function shellQuote(text: string): string {
  return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}

/**
 * The request as a curl command the learner can paste. The grader's own port was random and is
 * gone, so the command targets `base` (the address `npm start` uses by default).
 */
export function toCurl(request: SentRequest, base = 'http://localhost:3000'): string {
  const parts = ['curl', '-i'];
  const hasBody = request.body !== undefined;
  if (!(request.method === 'GET' && !hasBody) && !(request.method === 'POST' && hasBody)) parts.push('-X', request.method);
  parts.push(shellQuote(base.replace(/\/$/, '') + request.path));
  for (const [name, value] of Object.entries(request.headers)) parts.push('-H', shellQuote(`${name}: ${value}`));
  if (hasBody) parts.push(request.body?.startsWith('@') ? '--data-raw' : '-d', shellQuote(request.body ?? ''));
  return parts.join(' ');
}

/** Headers that say nothing about the contract; left out of reports. */
const noisyHeaders = new Set([
  'date',
  'connection',
  'keep-alive',
  'transfer-encoding',
  'x-powered-by',
  'etag',
  'vary',
  'content-security-policy',
  'x-content-type-options',
]);

/**
 * What came back, as a learner would see it with `curl -i`: status line, headers, body. For a
 * 5xx, what the server printed meanwhile (its stack trace) says more than the body, so it comes first.
 */
export function renderReply(reply: Reply): string {
  const head = `HTTP ${describeStatus(reply.status, reply.statusText)}`;
  if (reply.status >= 500 && reply.serverOutput.trim() !== '') {
    return `${head}\n\nYour server printed:\n${reply.serverOutput.trim()}`;
  }
  const headers = Object.entries(reply.headers)
    .filter(([name]) => !noisyHeaders.has(name))
    .map(([name, value]) => `${name}: ${value}`);
  return [head, ...headers, '', reply.text].join('\n');
}
