/**
 * `.dockerignore` matching as Docker does it, written from Docker's documented behaviour:
 *
 * - A line that starts with `#` (in the first column) is a comment; blank lines are skipped.
 * - Each pattern is trimmed and cleaned like Go's `filepath.Clean` (`./a/` is `a`, `a/../b` is
 *   `b`); a leading `/` is dropped, since every pattern is relative to the context's root.
 * - `*` matches any run of characters inside one path segment, `?` one character, `[...]` one
 *   character of a class (`[^...]` negates it), `\` escapes the next character. None of them
 *   crosses a `/`. `**` as a whole segment matches any number of segments, zero included.
 * - A pattern that matches a directory also excludes everything under it.
 * - `!` makes an exception. The last line that matches a path decides whether it is excluded,
 *   so `*` followed by `!src` keeps `src/` and drops everything else.
 * - A pattern that Docker cannot compile (an unclosed `[`, a lone `!`) fails the build.
 */

export interface IgnoreRule {
  /** 1-based line in `.dockerignore`. */
  line: number;
  /** The line as written, trimmed. */
  source: string;
  /** The cleaned pattern, without its `!`. */
  pattern: string;
  /** True for a `!` line: it re-includes what it matches. */
  exception: boolean;
  /** Whether the pattern matches a path (not its parents). */
  matches: (path: string) => boolean;
}

export interface IgnoreDecision {
  excluded: boolean;
  /** The last rule that matched the path (or one of its parent folders), if any did. */
  rule?: IgnoreRule;
}

/** A line Docker would refuse: the build fails before it starts. */
export class DockerignoreSyntaxError extends Error {
  readonly line: number;
  constructor(line: number, message: string) {
    super(message);
    this.line = line;
    this.name = 'DockerignoreSyntaxError';
  }
}

/** The patterns of one `.dockerignore`, ready to decide paths. */
export class Dockerignore {
  readonly rules: readonly IgnoreRule[];

  constructor(rules: readonly IgnoreRule[]) {
    this.rules = rules;
  }

  /**
   * Whether `path` (relative to the context's root, forward slashes) is kept out of the build
   * context, and which line decided it.
   */
  decide(path: string): IgnoreDecision {
    const target = cleanPath(path.replace(/^\/+/, ''));
    const candidates = [target, ...parentsOf(target)];
    let decision: IgnoreDecision = { excluded: false };
    for (const rule of this.rules) {
      if (candidates.some((candidate) => rule.matches(candidate))) decision = { excluded: !rule.exception, rule };
    }
    return decision;
  }

  excludes(path: string): boolean {
    return this.decide(path).excluded;
  }
}

/** An empty `.dockerignore`, as when the file does not exist: nothing is excluded. */
export const noDockerignore = new Dockerignore([]);

/** Parses the text of a `.dockerignore`. Throws `DockerignoreSyntaxError` for a line Docker refuses. */
export function parseDockerignore(text: string): Dockerignore {
  const rules: IgnoreRule[] = [];
  const lines = text.replace(/^\uFEFF/, '').split(/\r?\n/);
  lines.forEach((raw, index) => {
    const line = index + 1;
    if (raw.startsWith('#')) return;
    let pattern = raw.trim();
    if (pattern === '') return;
    const exception = pattern.startsWith('!');
    if (exception) pattern = pattern.slice(1).trim();
    if (pattern === '') throw new DockerignoreSyntaxError(line, `Line ${line} is a lone "!": an exception needs a pattern after the "!".`);
    pattern = cleanPath(pattern);
    if (pattern.length > 1 && pattern.startsWith('/')) pattern = pattern.slice(1);
    rules.push({ line, source: raw.trim(), pattern, exception, matches: compilePattern(pattern, line) });
  });
  return new Dockerignore(rules);
}

/** Go's `filepath.Clean` for forward-slash paths. */
export function cleanPath(path: string): string {
  if (path === '') return '.';
  const rooted = path.startsWith('/');
  const out: string[] = [];
  for (const segment of path.split('/')) {
    if (segment === '' || segment === '.') continue;
    if (segment === '..') {
      if (out.length > 0 && out[out.length - 1] !== '..') out.pop();
      else if (!rooted) out.push('..');
      continue;
    }
    out.push(segment);
  }
  const joined = out.join('/');
  if (rooted) return '/' + joined;
  return joined === '' ? '.' : joined;
}

/** `a/b/c` -> `a`, `a/b`. */
function parentsOf(path: string): string[] {
  const segments = path.split('/');
  const parents: string[] = [];
  for (let index = 1; index < segments.length; index++) parents.push(segments.slice(0, index).join('/'));
  return parents;
}

type Token = { kind: 'char'; char: string } | { kind: 'any' } | { kind: 'star' } | { kind: 'class'; negated: boolean; ranges: [string, string][] };
type Segment = { globstar: true } | { globstar: false; tokens: Token[] };

/**
 * Compiles a cleaned pattern into a matcher. Each segment is a glob that never crosses `/`; a
 * `**` segment stands for any number of whole segments (at least one when it ends the pattern,
 * as `a/**` matches what is inside `a`). Matching is dynamic programming over segments and
 * characters, never a backtracking regular expression: a learner's pattern such as
 * `*a*a*a*a*a*b` costs time proportional to its length times the path's, not exponential time.
 */
export function compilePattern(pattern: string, line = 0): (path: string) => boolean {
  const segments: Segment[] = pattern.split('/').map((segment) => (segment === '**' ? { globstar: true } : { globstar: false, tokens: tokenize(segment, pattern, line) }));
  return (path: string) => matchSegments(segments, path.split('/'));
}

function matchSegments(segments: Segment[], parts: string[]): boolean {
  let reach = new Uint8Array(parts.length + 1);
  reach[0] = 1;
  segments.forEach((segment, index) => {
    const next = new Uint8Array(parts.length + 1);
    if (segment.globstar) {
      const atLeastOne = segments.length === 1 || (index > 0 && index === segments.length - 1);
      let from = -1;
      for (let at = 0; at <= parts.length; at++) {
        if (reach[at] && from === -1) from = at;
        if (from !== -1 && at >= from + (atLeastOne ? 1 : 0)) next[at] = 1;
      }
    } else {
      for (let at = 0; at < parts.length; at++) if (reach[at] && matchSegment(segment.tokens, [...parts[at]!])) next[at + 1] = 1;
    }
    reach = next;
  });
  return reach[parts.length] === 1;
}

function matchSegment(tokens: Token[], chars: string[]): boolean {
  let reach = new Uint8Array(chars.length + 1);
  reach[0] = 1;
  for (const token of tokens) {
    const next = new Uint8Array(chars.length + 1);
    if (token.kind === 'star') {
      let on = false;
      for (let at = 0; at <= chars.length; at++) {
        if (reach[at]) on = true;
        if (on) next[at] = 1;
      }
    } else {
      for (let at = 0; at < chars.length; at++) if (reach[at] && matchesOne(token, chars[at]!)) next[at + 1] = 1;
    }
    reach = next;
  }
  return reach[chars.length] === 1;
}

function matchesOne(token: Exclude<Token, { kind: 'star' }>, char: string): boolean {
  if (token.kind === 'char') return token.char === char;
  if (token.kind === 'any') return true;
  const inClass = token.ranges.some(([low, high]) => low <= char && char <= high);
  return token.negated ? !inClass : inClass;
}

function tokenize(segment: string, pattern: string, line: number): Token[] {
  const bad = (why: string) => new DockerignoreSyntaxError(line, `Line ${line}: the pattern "${pattern}" ${why}, so Docker cannot use it.`);
  const chars = [...segment];
  const tokens: Token[] = [];
  for (let index = 0; index < chars.length; index++) {
    const char = chars[index]!;
    if (char === '*') {
      if (tokens[tokens.length - 1]?.kind !== 'star') tokens.push({ kind: 'star' });
    } else if (char === '?') {
      tokens.push({ kind: 'any' });
    } else if (char === '\\') {
      const next = chars[index + 1];
      if (next === undefined) throw bad('ends with a lone "\\"');
      tokens.push({ kind: 'char', char: next });
      index++;
    } else if (char === '[') {
      let cursor = index + 1;
      let negated = false;
      if (chars[cursor] === '^') {
        negated = true;
        cursor++;
      }
      const ranges: [string, string][] = [];
      let count = 0;
      const readChar = (): string => {
        let value = chars[cursor];
        if (value === '\\') {
          cursor++;
          value = chars[cursor];
          if (value === undefined) throw bad('ends a "[" class with a lone "\\"');
        }
        if (value === undefined) throw bad('opens a "[" class that is never closed');
        cursor++;
        return value;
      };
      for (;;) {
        const current = chars[cursor];
        if (current === undefined) throw bad('opens a "[" class that is never closed');
        if (current === ']' && count > 0) break;
        // Go rejects an empty class and a range without its low end.
        if (current === ']') throw bad('has an empty "[]" class');
        if (current === '-') throw bad('has a "-" range without a start');
        const low = readChar();
        let high = low;
        if (chars[cursor] === '-') {
          cursor++;
          if (chars[cursor] === ']' || chars[cursor] === '-' || chars[cursor] === undefined) throw bad('has a "-" range without an end');
          // Go accepts a backwards range such as `z-a`; it simply matches nothing.
          high = readChar();
        }
        ranges.push([low, high]);
        count++;
      }
      tokens.push({ kind: 'class', negated, ranges });
      index = cursor;
    } else {
      tokens.push({ kind: 'char', char });
    }
  }
  return tokens;
}
