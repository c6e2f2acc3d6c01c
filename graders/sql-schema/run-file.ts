import { SubmissionError } from '../core/checks.ts';
import type { DatabaseSession } from './database.ts';
import type { DbError } from './protocol.ts';
import { excerpt, lineAndColumn, offsetOfPosition, splitStatements } from './statements.ts';

/**
 * Runs the learner's file as psql would. PostgreSQL parses and runs the whole file first (fast,
 * and its parser is the judge). A syntax error comes with a position; any other failure is
 * re-run statement by statement after a reset, which is exactly psql's behaviour (so CREATE INDEX
 * CONCURRENTLY or a new enum value used right away, refused inside one implicit transaction, are
 * fine) and tells which statement failed. A file that does not run throws SubmissionError
 * `syntax` with PostgreSQL's message and the line (`out-of-memory` when the database ran out of room).
 */
export async function runFile(session: DatabaseSession, text: string, file: string): Promise<void> {
  const whole = await session.run(text);
  if (whole.ok) return finish(session, text, file, whole.inTransaction === true);
  if (whole.error.code === '42601' && whole.error.position) {
    throw notRunnable(text, file, whole.error, offsetOfPosition(text, whole.error.position));
  }
  await session.reset();
  const statements = splitStatements(text);
  const each = await session.runEach(statements.map((statement) => statement.text));
  if (each.ok) return finish(session, text, file, each.inTransaction === true);
  const failed = each.failedIndex === undefined ? undefined : statements[each.failedIndex];
  if (!failed) throw notRunnable(text, file, each.error, undefined);
  const offset = each.error.position
    ? failed.start + offsetOfPosition(failed.text, each.error.position)
    : failed.firstToken + (guessOffset(text.slice(failed.firstToken, failed.start + failed.text.length), each.error) ?? 0);
  throw notRunnable(text, file, each.error, offset);
}

async function finish(session: DatabaseSession, text: string, file: string, inTransaction: boolean): Promise<void> {
  if (inTransaction) {
    const opened = splitStatements(text).filter((statement) => /^(begin|start\s+transaction)\b/i.test(text.slice(statement.firstToken))).at(-1);
    const offset = opened?.firstToken;
    throw new SubmissionError(
      'syntax',
      `${file} starts a transaction (BEGIN) that it never ends with COMMIT, so nothing it creates would be saved.`,
      {
        location: { file, ...(offset === undefined ? {} : lineAndColumn(text, offset)) },
        ...(offset === undefined ? {} : { output: excerpt(text, offset) }),
      },
    );
  }
  // The application connects afresh: settings the file changed with SET do not carry over.
  const reply = await session.run('DISCARD ALL');
  if (!reply.ok) throw new Error(`DISCARD ALL failed after ${file}: ${reply.error.message}`);
}

/** SQLSTATEs of a database that ran out of room: out_of_memory, and disk_full (PGlite's disk is memory). */
const outOfMemoryCodes = new Set(['53200', '53100']);

function notRunnable(text: string, file: string, error: DbError, offset: number | undefined): SubmissionError {
  const where = offset === undefined ? undefined : lineAndColumn(text, offset);
  const line = where ? ` (line ${where.line})` : '';
  const extra = [error.detail, error.hint ? `Hint: ${error.hint}` : undefined].filter(Boolean).join(' ');
  const outOfMemory = outOfMemoryCodes.has(error.code);
  return new SubmissionError(
    outOfMemory ? 'out-of-memory' : 'syntax',
    outOfMemory
      ? `The database ran out of memory while running ${file}${line}: ${error.message}. Does a statement build a huge result or table?`
      : `PostgreSQL could not run ${file}${line}: ${error.message}.${extra ? ` ${extra}` : ''}`,
    {
      location: { file, ...(where ?? {}) },
      ...(offset === undefined ? {} : { output: excerpt(text, offset) }),
    },
  );
}

/**
 * PostgreSQL gives no position for some errors (`relation "loans" does not exist` in a REFERENCES
 * clause). When the message quotes a name that appears once in the statement, point there; only
 * the line shown depends on this guess, never the verdict.
 */
function guessOffset(statement: string, error: DbError): number | undefined {
  const name = /"([^"]+)"/.exec(error.message)?.[1];
  if (!name) return undefined;
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const matches = [...statement.matchAll(new RegExp(`(?<![\\w$])"?${escaped}"?(?![\\w$])`, 'gi'))];
  return matches.length === 1 ? matches[0]!.index : undefined;
}
