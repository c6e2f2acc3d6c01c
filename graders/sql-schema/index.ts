import { SubmissionError, runChecks } from '../core/checks.ts';
import type { Grader } from '../core/grader.ts';
import { limits } from '../core/limits.ts';
import { readCatalog, toDiagram } from './catalog.ts';
import type { SchemaCheck, SchemaContext } from './checks.ts';
import { type SchemaDatabase, sharedDatabase } from './database.ts';
import type { RowTemplates } from './probes.ts';
import { runFile } from './run-file.ts';

/**
 * The `sql-schema` grader kind: a learner's schema file is run on real PostgreSQL (PGlite, in a
 * worker thread) and judged by the catalog and by behaviour, never by its text.
 *
 * ```ts
 * export default sqlSchemaGrader({
 *   file: 'schema.sql',
 *   rows: { books: { isbn: (n) => `978${String(n).padStart(10, '0')}`, title: 'Dune' } },
 *   checks: [table('books', { isbn: required('text') }), unique('books.isbn'), …],
 * });
 * ```
 */

export const SQL_SCHEMA_VERSION = '1.0.0';

export interface SqlSchemaGraderOptions {
  /** The learner's file, for example `schema.sql`. */
  file: string;
  /** Per table, a row that keeps every rule; probes change one value at a time. */
  rows?: RowTemplates;
  checks: SchemaCheck[];
  /** Wall-clock budget for the grade's statements (default: limits.databaseMs, 10 s). */
  databaseMs?: number;
  /** The warm database to use (default: the process's shared one). Tests pass their own. */
  database?: SchemaDatabase;
}

export interface SqlSchemaGrader extends Grader {
  kind: 'sql-schema';
  readonly database: SchemaDatabase;
}

export function sqlSchemaGrader(options: SqlSchemaGraderOptions): SqlSchemaGrader {
  const database = options.database ?? sharedDatabase();
  const budgetMs = options.databaseMs ?? limits.databaseMs;
  const checks = options.checks.map(
    (check): SchemaCheck => ({
      ...check,
      run(context) {
        context.session.activity = `checking "${check.title}"`;
        return check.run(context);
      },
    }),
  );
  return {
    kind: 'sql-schema',
    version: SQL_SCHEMA_VERSION,
    database,
    async grade({ files, signal }) {
      const text = files.get(options.file);
      if (text === undefined) throw new SubmissionError('missing-file', `There is no ${options.file}. Create it and check again.`);
      return database.session({ budgetMs, signal }, async (session) => {
        session.activity = `running ${options.file}`;
        await runFile(session, text, options.file);
        session.activity = 'reading the schema from the catalog';
        const catalog = await readCatalog(session);
        const context: SchemaContext = { session, catalog, rows: options.rows ?? {}, counter: { next: 1 }, file: options.file };
        const results = await runChecks(checks, context, signal);
        return { checks: results, diagram: toDiagram(catalog) };
      });
    },
    dispose: () => database.dispose(),
  };
}

export { accepts, defaultsTo, foreignKey, index, now, optional, primaryKey, rejects, required, rule, table, unique } from './checks.ts';
export type { CheckOptions, ColumnSpec, Probe, SchemaCheck, SchemaContext, TypeFamily } from './checks.ts';
export { DEFAULT, insert, ref, remove, sql } from './probes.ts';
export type { RowTemplates, RowValues, Step, Value } from './probes.ts';
export { SchemaDatabase, sharedDatabase } from './database.ts';
