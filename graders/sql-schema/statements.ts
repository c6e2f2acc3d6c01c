/**
 * Where things are in a SQL file. PostgreSQL judges the file; this module only finds the line of
 * an error: it splits a file into statements the way psql does (quotes, dollar quotes, comments,
 * parentheses, BEGIN ATOMIC bodies), so a file can be re-run statement by statement when
 * PostgreSQL's error carries no position, and it turns PostgreSQL's character positions into
 * lines and columns.
 */

export interface Statement {
  /** The statement's text, without the terminating semicolon. */
  text: string;
  /** Offset (UTF-16 code units) of the statement's first character in the file. */
  start: number;
  /** Offset of its first token (after leading blanks and comments): where a learner would look. */
  firstToken: number;
}

const identStart = /[A-Za-z_\u0080-\uffff]/;
const identPart = /[A-Za-z0-9_$\u0080-\uffff]/;

/** Splits SQL into statements as psql does; empty statements (only blanks and comments) are left out. */
export function splitStatements(sql: string): Statement[] {
  const statements: Statement[] = [];
  let start = 0;
  let firstToken = -1;
  let parenDepth = 0;
  let beginDepth = 0;
  const words: string[] = [];
  let i = 0;

  const finish = (end: number) => {
    if (firstToken >= 0) statements.push({ text: sql.slice(start, end), start, firstToken });
    start = end + 1;
    firstToken = -1;
    parenDepth = 0;
    beginDepth = 0;
    words.length = 0;
  };
  const isRoutine = () => {
    const [first, second, third, fourth] = words;
    if (first !== 'create') return false;
    if (second === 'function' || second === 'procedure') return true;
    return second === 'or' && third === 'replace' && (fourth === 'function' || fourth === 'procedure');
  };

  while (i < sql.length) {
    const ch = sql[i]!;
    const next = sql[i + 1];
    if (ch === '-' && next === '-') {
      while (i < sql.length && sql[i] !== '\n') i++;
      continue;
    }
    if (ch === '/' && next === '*') {
      let depth = 1;
      i += 2;
      while (i < sql.length && depth > 0) {
        if (sql[i] === '/' && sql[i + 1] === '*') (depth++, (i += 2));
        else if (sql[i] === '*' && sql[i + 1] === '/') (depth--, (i += 2));
        else i++;
      }
      continue;
    }
    if (/\s/.test(ch)) {
      i++;
      continue;
    }
    if (ch === ';' && parenDepth === 0 && beginDepth === 0) {
      finish(i);
      i++;
      continue;
    }
    if (firstToken < 0) firstToken = i;
    if (ch === ';') {
      i++;
      continue;
    }
    if (ch === '(') parenDepth++;
    else if (ch === ')') parenDepth = Math.max(0, parenDepth - 1);
    if (ch === "'") {
      const escapes = i > 0 && /[eE]/.test(sql[i - 1]!) && (i < 2 || !identPart.test(sql[i - 2]!));
      i = skipQuoted(sql, i, "'", escapes);
      continue;
    }
    if (ch === '"') {
      i = skipQuoted(sql, i, '"', false);
      continue;
    }
    if (ch === '$') {
      const tag = /^\$([A-Za-z_\u0080-\uffff][A-Za-z0-9_\u0080-\uffff]*)?\$/.exec(sql.slice(i, i + 200));
      if (tag) {
        const close = sql.indexOf(tag[0], i + tag[0].length);
        i = close < 0 ? sql.length : close + tag[0].length;
        continue;
      }
      i++;
      continue;
    }
    if (identStart.test(ch)) {
      let end = i + 1;
      while (end < sql.length && identPart.test(sql[end]!)) end++;
      const word = sql.slice(i, end).toLowerCase();
      words.push(word);
      // psql's rule: in CREATE FUNCTION/PROCEDURE, a BEGIN (ATOMIC) … END body may hold semicolons.
      if (parenDepth === 0 && isRoutine()) {
        if (word === 'begin') beginDepth++;
        else if (word === 'case' && beginDepth > 0) beginDepth++;
        else if (word === 'end' && beginDepth > 0) beginDepth--;
      }
      i = end;
      continue;
    }
    i++;
  }
  finish(sql.length);
  return statements;
}

function skipQuoted(sql: string, open: number, quote: string, backslashEscapes: boolean): number {
  let i = open + 1;
  while (i < sql.length) {
    const ch = sql[i];
    if (backslashEscapes && ch === '\\') i += 2;
    else if (ch === quote) {
      if (sql[i + 1] === quote) i += 2;
      else return i + 1;
    } else i++;
  }
  return sql.length;
}

/**
 * Turns PostgreSQL's error position (1-based, counted in characters, not UTF-16 units) within
 * `text` into an offset in `text`.
 */
export function offsetOfPosition(text: string, position: number): number {
  let offset = 0;
  for (let counted = 1; counted < position && offset < text.length; counted++) {
    const code = text.codePointAt(offset)!;
    offset += code > 0xffff ? 2 : 1;
  }
  return Math.min(offset, text.length);
}

/** 1-based line and column of an offset. */
export function lineAndColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let index = 0; index < offset && index < text.length; index++) {
    if (text[index] === '\n') {
      line++;
      lineStart = index + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

/** The line of `text` holding `offset`, numbered, with a caret under the column: what a terminal shows. */
export function excerpt(text: string, offset: number): string {
  const { line, column } = lineAndColumn(text, offset);
  const content = (text.split('\n')[line - 1] ?? '').replace(/\t/g, ' ').replace(/\r$/, '');
  const gutter = String(line);
  const shown = content.length > 160 ? content.slice(0, 160) + '…' : content;
  return `${gutter} | ${shown}\n${' '.repeat(gutter.length)} | ${' '.repeat(Math.min(column - 1, 160))}^`;
}
