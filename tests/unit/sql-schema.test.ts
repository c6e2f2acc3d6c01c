import { afterAll, describe, expect, it } from 'vitest';
import { SubmissionError } from '../../graders/core/checks.ts';
import { exerciseSchema } from '../../graders/core/exercise.ts';
import type { LoadedExercise } from '../../graders/core/exercises.ts';
import type { GradeOutcome } from '../../graders/core/grader.ts';
import {
  SchemaDatabase,
  type SqlSchemaGrader,
  accepts,
  defaultsTo,
  foreignKey,
  index,
  insert,
  now,
  optional,
  primaryKey,
  ref,
  rejects,
  remove,
  required,
  rule,
  sqlSchemaGrader,
  table,
  unique,
} from '../../graders/sql-schema/index.ts';

/**
 * The sql-schema kind on its own, with a small brief of its own (authors and books), so these
 * tests do not move when the design-schema exercise changes. One warm database serves the file.
 */

const database = new SchemaDatabase();
afterAll(() => database.dispose());

const rows = {
  authors: { name: 'Ursula K. Le Guin' },
  books: {
    author_id: ref('authors'),
    isbn: (n: number) => `978${String(n).padStart(10, '0')}`,
    format: 'paperback',
    pages: 300,
    added_at: '2026-01-05 09:00:00+00',
  },
};

const checks = [
  table('authors', { id: required('key'), name: required('text') }),
  primaryKey('authors', ['id'], { generated: true }),
  table('books', {
    id: required('key'),
    author_id: required('key'),
    isbn: required('text'),
    format: required(['text', 'enum']),
    pages: optional('integer'),
    added_at: required('timestamptz'),
  }),
  primaryKey('books', ['id']),
  foreignKey('books.author_id', 'authors', { onDelete: 'restrict' }),
  unique('books.isbn', { noun: 'books' }),
  rule(
    'books-format',
    'A format is paperback, hardcover or ebook',
    [
      rejects('a vinyl book', insert('books', { format: 'vinyl' })),
      accepts('a hardcover', insert('books', { format: 'hardcover' })),
      accepts('an ebook', insert('books', { format: 'ebook' })),
    ],
    { hint: 'Limit the values.' },
  ),
  defaultsTo('books.format', 'paperback'),
  defaultsTo('books.added_at', now),
  rule(
    'books-pages-positive',
    'A page count, when known, is positive',
    [
      rejects('a book of 0 pages', insert('books', { pages: 0 })),
      accepts('a book of 1 page', insert('books', { pages: 1 })),
      accepts('a book whose length is unknown', insert('books', { pages: null })),
    ],
    { hint: 'Compare with zero.' },
  ),
  rule(
    'authors-keep-their-books',
    'An author who has books cannot be deleted',
    [
      rejects('deleting an author who has a book', insert('books'), remove('authors')),
      accepts('deleting an author without books', insert('authors'), remove('authors')),
      accepts('an author added by hand', "INSERT INTO authors (name) VALUES ('Octavia E. Butler')"),
    ],
    { hint: 'Think about ON DELETE.' },
  ),
  index('books', 'author_id'),
];
const ids = checks.map((check) => check.id);

const grader = sqlSchemaGrader({ file: 'schema.sql', rows, checks, database });

const exercise: LoadedExercise = {
  id: 'sql-schema-unit',
  dir: '/nonexistent',
  manifest: exerciseSchema.parse({
    title: 'Unit test',
    summary: 'A brief used by the unit tests of the kind.',
    stage: 'design',
    kind: 'sql-schema',
    difficulty: 'beginner',
    minutes: 5,
    files: { editable: ['schema.sql'], required: ['schema.sql'] },
  }),
};

function grade(sql: string, using: SqlSchemaGrader = grader, signal = new AbortController().signal): Promise<GradeOutcome> {
  return using.grade({ exercise, files: new Map([['schema.sql', sql]]), seed: 1, signal });
}

/** Ids of the checks that did not pass, each with its message. */
function failing(outcome: GradeOutcome): Record<string, string> {
  return Object.fromEntries(outcome.checks.filter((check) => check.status !== 'pass').map((check) => [check.id, check.message ?? '']));
}

async function gradeError(sql: string, using: SqlSchemaGrader = grader): Promise<SubmissionError> {
  const error = await grade(sql, using).then(
    () => undefined,
    (thrown: unknown) => thrown,
  );
  expect(error, 'the grade should throw SubmissionError').toBeInstanceOf(SubmissionError);
  return error as SubmissionError;
}

const inlineStyle = `
CREATE TABLE authors (
  id   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name text NOT NULL
);
CREATE TABLE books (
  id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  author_id bigint NOT NULL REFERENCES authors,
  isbn      text NOT NULL UNIQUE,
  format    text NOT NULL DEFAULT 'paperback' CHECK (format IN ('paperback', 'hardcover', 'ebook')),
  pages     integer CHECK (pages > 0),
  added_at  timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX ON books (author_id);
`;

describe('sql-schema: correct designs in any style pass', () => {
  it('inline constraints, identity keys, text and CHECK', async () => {
    const outcome = await grade(inlineStyle);
    expect(failing(outcome)).toEqual({});
    expect(outcome.checks.map((check) => check.id)).toEqual(ids);
  });

  it('serial keys, varchar, an enum type, named constraints added with ALTER TABLE, explicit book ids, a composite index', async () => {
    const outcome = await grade(`
CREATE TYPE book_format AS ENUM ('paperback', 'hardcover', 'ebook');
CREATE TABLE authors (id serial, name varchar(100));
ALTER TABLE authors ADD CONSTRAINT authors_pk PRIMARY KEY (id);
ALTER TABLE authors ALTER COLUMN name SET NOT NULL;
CREATE TABLE books (
  id integer NOT NULL,
  author_id integer NOT NULL,
  isbn varchar(20) NOT NULL,
  format book_format NOT NULL DEFAULT 'paperback',
  pages smallint,
  added_at timestamp with time zone DEFAULT CURRENT_TIMESTAMP NOT NULL
);
ALTER TABLE books ADD CONSTRAINT books_pk PRIMARY KEY (id);
ALTER TABLE books ADD CONSTRAINT books_author_fk FOREIGN KEY (author_id) REFERENCES authors (id) ON DELETE RESTRICT;
CREATE UNIQUE INDEX books_isbn_uq ON books (isbn);
ALTER TABLE books ADD CONSTRAINT books_pages_ck CHECK (pages >= 1);
CREATE INDEX books_author_isbn_idx ON books (author_id, isbn);
`);
    expect(failing(outcome)).toEqual({});
    expect(outcome.diagram?.relations).toEqual([{ fromTable: 'books', fromColumns: ['author_id'], toTable: 'authors', toColumns: ['id'], onDelete: 'restrict' }]);
  });

  it('rules enforced by a trigger (one with an SQLSTATE of its own), a domain, and extra required columns and tables the brief does not know', async () => {
    const outcome = await grade(`
CREATE DOMAIN page_count AS integer;
CREATE TABLE publishers (id uuid PRIMARY KEY, name text NOT NULL);
CREATE TABLE authors (
  id   integer GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
  name text NOT NULL CHECK (name <> ''),
  born date
);
CREATE TABLE books (
  id           bigserial PRIMARY KEY,
  author_id    integer NOT NULL REFERENCES authors ON DELETE NO ACTION,
  publisher_id uuid NOT NULL REFERENCES publishers,
  isbn         text NOT NULL,
  format       text NOT NULL DEFAULT 'paperback',
  pages        page_count,
  added_at     timestamptz NOT NULL DEFAULT transaction_timestamp(),
  shelf        text NOT NULL,
  tags         jsonb NOT NULL,
  UNIQUE (isbn)
);
CREATE INDEX books_by_author ON books USING hash (author_id);
CREATE FUNCTION books_rules() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  IF NEW.format NOT IN ('paperback', 'hardcover', 'ebook') THEN
    RAISE EXCEPTION 'unknown format %', NEW.format;
  END IF;
  IF NEW.pages IS NOT NULL AND NEW.pages < 1 THEN
    RAISE EXCEPTION 'a book has at least one page' USING ERRCODE = 'SH001';
  END IF;
  RETURN NEW;
END
$$;
CREATE TRIGGER books_rules BEFORE INSERT OR UPDATE ON books FOR EACH ROW EXECUTE FUNCTION books_rules();
`);
    expect(failing(outcome)).toEqual({});
    expect(outcome.diagram?.tables.map((t) => t.name)).toEqual(['authors', 'books', 'publishers']);
  });

  it('a NOT NULL written as a CHECK still makes a column required', async () => {
    const outcome = await grade(inlineStyle.replace('name text NOT NULL', 'name text CHECK (name IS NOT NULL)'));
    expect(failing(outcome)).toEqual({});
  });

  it('returns the diagram read from the catalog', async () => {
    const { diagram } = await grade(inlineStyle);
    const books = diagram?.tables.find((t) => t.name === 'books');
    expect(books?.columns.find((c) => c.name === 'id')).toEqual({ name: 'id', type: 'bigint', nullable: false, primaryKey: true, unique: false });
    expect(books?.columns.find((c) => c.name === 'isbn')).toMatchObject({ unique: true, nullable: false });
    expect(books?.columns.find((c) => c.name === 'pages')).toMatchObject({ type: 'integer', nullable: true });
    expect(diagram?.relations).toEqual([{ fromTable: 'books', fromColumns: ['author_id'], toTable: 'authors', toColumns: ['id'], onDelete: 'no action' }]);
  });
});

describe('sql-schema: each broken rule is reported, with what was observed', () => {
  const cases: { name: string; sql: string; expected: Record<string, RegExp> }[] = [
    {
      name: 'a missing foreign key',
      sql: inlineStyle.replace('REFERENCES authors', ''),
      expected: {
        'books-author-id-references-authors': /books\.author_id does not reference authors/,
        'authors-keep-their-books': /Saved, but it should be refused: deleting an author who has a book/,
      },
    },
    {
      name: 'cascade where restrict is required',
      sql: inlineStyle.replace('REFERENCES authors', 'REFERENCES authors ON DELETE CASCADE'),
      expected: {
        'books-author-id-references-authors': /ON DELETE CASCADE: deleting a row of authors would silently delete the rows of books/,
        'authors-keep-their-books': /Saved, but it should be refused/,
      },
    },
    {
      name: 'a missing unique',
      sql: inlineStyle.replace('isbn      text NOT NULL UNIQUE', 'isbn text NOT NULL'),
      expected: { 'books-isbn-unique': /Saved, but it should be refused: two books with the same isbn \('978\d{10}'\)/ },
    },
    {
      name: 'a unique rule per parent row rather than for the whole table',
      sql: inlineStyle.replace('isbn      text NOT NULL UNIQUE', 'isbn text NOT NULL').replace("  added_at  timestamptz NOT NULL DEFAULT now()\n", "  added_at  timestamptz NOT NULL DEFAULT now(),\n  UNIQUE (author_id, isbn)\n"),
      expected: { 'books-isbn-unique': /^Saved, but it should be refused: two books with the same isbn \('978\d{10}'\), even for different authors\.$/ },
    },
    {
      name: 'a value rule that is missing',
      sql: inlineStyle.replace(" CHECK (format IN ('paperback', 'hardcover', 'ebook'))", ''),
      expected: { 'books-format': /^Saved, but it should be refused: a vinyl book\.$/ },
    },
    {
      name: 'a rule that is too strict',
      sql: inlineStyle.replace('CHECK (pages > 0)', 'CHECK (pages > 1)'),
      expected: { 'books-pages-positive': /Refused, but it should be saved: a book of 1 page \(PostgreSQL said: .*books_pages_check/ },
    },
    {
      name: 'a missing default',
      sql: inlineStyle.replace("DEFAULT 'paperback' ", ''),
      expected: { 'books-format-default': /An insert that leaves out format was refused \(PostgreSQL said: null value in column "format"/ },
    },
    {
      name: 'a default that is not the current time',
      sql: inlineStyle.replace('DEFAULT now()', "DEFAULT '2000-01-01'"),
      expected: { 'books-added-at-default': /stored '2000-01-01 00:00:00\+00', not the current time/ },
    },
    {
      name: 'a partial index',
      sql: inlineStyle.replace('CREATE INDEX ON books (author_id);', 'CREATE INDEX ON books (author_id) WHERE pages > 100;'),
      expected: { 'books-author-id-index': /starts with author_id, but it is partial/ },
    },
    {
      name: 'an index that starts with another column',
      sql: inlineStyle.replace('CREATE INDEX ON books (author_id);', 'CREATE INDEX books_isbn_author ON books (isbn, author_id);'),
      expected: { 'books-author-id-index': /The index books_isbn_author is on \(isbn, author_id\); it starts with isbn/ },
    },
    {
      name: 'no index at all',
      sql: inlineStyle.replace('CREATE INDEX ON books (author_id);', ''),
      expected: { 'books-author-id-index': /No index of books starts with author_id/ },
    },
    {
      name: 'a required column that accepts NULL',
      sql: inlineStyle.replace('name text NOT NULL', 'name text'),
      expected: { 'authors-table': /In authors: name may be left empty \(NULL\), but every row needs one\./ },
    },
    {
      name: 'an optional column that is NOT NULL',
      sql: inlineStyle.replace('pages     integer CHECK', 'pages integer NOT NULL CHECK'),
      expected: {
        'books-table': /pages is NOT NULL, but the brief lets it be empty/,
        'books-pages-positive': /Refused, but it should be saved: a book whose length is unknown/,
      },
    },
    {
      name: 'a key the database does not generate',
      sql: inlineStyle.replace('id   bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY', 'id bigint PRIMARY KEY'),
      expected: {
        'authors-primary-key': /authors\.id has no default and is not an identity column/,
        // The rubric's hand-written insert gives no id either.
        'authors-keep-their-books': /Refused, but it should be saved: an author added by hand \(PostgreSQL said: null value in column "id"/,
      },
    },
    {
      name: 'a column of the wrong type',
      sql: inlineStyle.replace('added_at  timestamptz', 'added_at timestamp'),
      expected: { 'books-table': /added_at is timestamp without time zone, but it should be timestamp with time zone/ },
    },
    {
      name: 'a missing column (the rules that need it cannot be tried)',
      sql: inlineStyle.replace("  format    text NOT NULL DEFAULT 'paperback' CHECK (format IN ('paperback', 'hardcover', 'ebook')),\n", ''),
      expected: {
        'books-table': /there is no column format/,
        'books-format': /This rule could not be tried: PostgreSQL refused a row the grader needed \(column "format" of relation "books" does not exist\)/,
        'books-format-default': /books has no column format/,
        'books-isbn-unique': /could not be tried/,
        'books-added-at-default': /column "format" of relation "books" does not exist/,
        'books-pages-positive': /could not be tried/,
        'authors-keep-their-books': /1 of its 3 tries could not be made/,
      },
    },
    {
      name: 'a table whose name kept its capitals',
      sql: inlineStyle.replace('CREATE TABLE authors (', 'CREATE TABLE "Authors" (').replace('REFERENCES authors', 'REFERENCES "Authors"'),
      expected: {
        'authors-table': /There is no table authors, but there is "Authors": a name in double quotes keeps its capitals/,
        'authors-primary-key': /There is no table authors/,
        'books-author-id-references-authors': /There is no table authors/,
        'authors-keep-their-books': /There is no table authors/,
        'books-isbn-unique': /There is no table authors/,
        'books-format': /There is no table authors/,
        'books-format-default': /There is no table authors/,
        'books-added-at-default': /There is no table authors/,
        'books-pages-positive': /There is no table authors/,
      },
    },
  ];

  for (const { name, sql, expected } of cases) {
    it(name, async () => {
      const outcome = await grade(sql);
      const found = failing(outcome);
      expect(Object.keys(found).sort()).toEqual(Object.keys(expected).sort());
      for (const [id, pattern] of Object.entries(expected)) expect(found[id]).toMatch(pattern);
      for (const check of outcome.checks.filter((c) => c.status !== 'pass')) {
        expect(check.status).toBe('fail');
        expect(check.hint).toBeTruthy();
      }
    });
  }

  it('shows the SQL a learner can paste to see the rule broken', async () => {
    const outcome = await grade(inlineStyle.replace('isbn      text NOT NULL UNIQUE', 'isbn text NOT NULL'));
    const check = outcome.checks.find((c) => c.id === 'books-isbn-unique')!;
    expect(check.output).toMatch(/^INSERT INTO authors \(name\) VALUES \('Ursula K\. Le Guin'\);\nINSERT INTO books \(author_id, isbn, format, pages, added_at\) VALUES \('\d+', '978\d{10}', 'paperback', 300, '2026-01-05 09:00:00\+00'\);/);
  });

  it('an empty file runs, and every check fails', async () => {
    const outcome = await grade('-- nothing yet\n');
    expect(outcome.checks.every((check) => check.status === 'fail')).toBe(true);
    expect(outcome.diagram).toEqual({ tables: [], relations: [] });
  });
});

describe('sql-schema: a file that does not run is an error with PostgreSQL message and line', () => {
  it('a syntax error, with line, column and the line shown', async () => {
    const error = await gradeError('CREATE TABLE authors (\n  id bigint PRIMARY KEY,\n  name tex t\n);');
    expect(error.reason).toBe('syntax');
    expect(error.message).toBe('PostgreSQL could not run schema.sql (line 3): syntax error at or near "t".');
    expect(error.details.location).toEqual({ file: 'schema.sql', line: 3, column: 12 });
    expect(error.details.output).toBe('3 |   name tex t\n  |            ^');
  });

  it('an unknown type', async () => {
    const error = await gradeError('CREATE TABLE authors (id bigint PRIMARY KEY);\n\nCREATE TABLE books (\n  id bigint,\n  pages integr\n);');
    expect(error.message).toMatch(/\(line 5\): type "integr" does not exist/);
    expect(error.details.location).toMatchObject({ line: 5 });
  });

  it('a table used before it is created (PostgreSQL gives no position: the file is re-run statement by statement)', async () => {
    const error = await gradeError('-- books first\nCREATE TABLE books (\n  id bigint PRIMARY KEY,\n  author_id bigint REFERENCES authors\n);\nCREATE TABLE authors (id bigint PRIMARY KEY);');
    expect(error.message).toMatch(/\(line 4\): relation "authors" does not exist/);
    expect(error.details.location).toMatchObject({ file: 'schema.sql', line: 4 });
  });

  it('an error inside a PL/pgSQL function body', async () => {
    const error = await gradeError(`CREATE TABLE t (id int);
CREATE FUNCTION f() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RETURN NEW
  ENDD;
$$;`);
    expect(error.reason).toBe('syntax');
    expect(error.details.location?.line).toBeGreaterThanOrEqual(4);
    expect(error.details.location?.line).toBeLessThanOrEqual(6);
  });

  it('a statement that fails after an earlier COMMIT, and the next grade starts clean', async () => {
    const error = await gradeError('CREATE TABLE authors (id bigint PRIMARY KEY);\nCOMMIT;\nCREATE TABLE authors (id bigint PRIMARY KEY);');
    expect(error.message).toMatch(/\(line 3\): relation "authors" already exists/);
    expect(failing(await grade(inlineStyle))).toEqual({});
  });

  it('data the file inserts that breaks its own rules', async () => {
    const error = await gradeError(`${inlineStyle}\nINSERT INTO authors (name) VALUES (NULL);\n`);
    expect(error.message).toMatch(/null value in column "name" of relation "authors"/);
    expect(error.details.location?.line).toBe(inlineStyle.split('\n').length + 1);
  });

  it('a transaction left open: nothing would be saved', async () => {
    const error = await gradeError(`-- one transaction\nBEGIN;\n${inlineStyle}`);
    expect(error.reason).toBe('syntax');
    expect(error.message).toMatch(/starts a transaction \(BEGIN\) that it never ends with COMMIT/);
    expect(error.details.location).toMatchObject({ line: 2 });
    expect(failing(await grade(inlineStyle))).toEqual({});
  });

  it('a statement that runs the database out of memory is out-of-memory, not a syntax error, and the swollen worker is replaced', async () => {
    const error = await gradeError(`${inlineStyle}\nSELECT length(string_agg(repeat('x', 1000000), '')) FROM generate_series(1, 3000);\n`);
    expect(error.reason).toBe('out-of-memory');
    expect(error.message).toMatch(/ran out of memory while running schema\.sql \(line \d+\)/);
    expect(error.details.location?.line).toBe(inlineStyle.split('\n').length + 1);
    // WebAssembly memory never shrinks: a worker kept warm would hold that gigabyte for good.
    const bootsBefore = database.stats.snapshotBoots;
    expect(failing(await grade(inlineStyle))).toEqual({});
    expect(database.stats.snapshotBoots).toBe(bootsBefore + 1);
    expect(database.runningWorkers).toBe(1);
  });

  it('runs the file as psql does: CREATE INDEX CONCURRENTLY is fine', async () => {
    const outcome = await grade(inlineStyle.replace('CREATE INDEX ON books (author_id);', 'CREATE INDEX CONCURRENTLY books_author ON books (author_id);'));
    expect(failing(outcome)).toEqual({});
  });
});

describe('sql-schema: the watchdog stops what never ends', () => {
  const short = sqlSchemaGrader({ file: 'schema.sql', rows, checks, database, databaseMs: 1500 });

  it('an endless DO block is stopped at the database limit, as a timeout', async () => {
    await grade(inlineStyle); // a warm worker, so the time below is the statement's alone
    const bootsBefore = database.stats.snapshotBoots;
    const started = performance.now();
    const error = await gradeError(`${inlineStyle}\nDO $$ BEGIN LOOP PERFORM 1; END LOOP; END $$;`, short);
    const elapsed = performance.now() - started;
    expect(error.reason).toBe('timeout');
    expect(error.message).toMatch(/more than 1.5 s while running schema\.sql/);
    expect(elapsed).toBeGreaterThanOrEqual(1400);
    expect(elapsed).toBeLessThan(4000);
    // The worker was terminated; the next grade gets a new one, started from the snapshot.
    expect(failing(await grade(inlineStyle))).toEqual({});
    expect(database.stats.snapshotBoots).toBe(bootsBefore + 1);
    expect(database.runningWorkers).toBe(1);
  });

  it('a trigger that never ends is stopped while a check probes it, and the message names the check', async () => {
    const endless = `${inlineStyle}
CREATE FUNCTION spin() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN LOOP END LOOP; END $$;
CREATE TRIGGER spin BEFORE INSERT ON authors FOR EACH ROW EXECUTE FUNCTION spin();`;
    const error = await gradeError(endless, short);
    expect(error.reason).toBe('timeout');
    expect(error.message).toMatch(/while checking "/);
    expect(failing(await grade(inlineStyle))).toEqual({});
  });

  it('a cancelled grade stops the statement at once', async () => {
    const controller = new AbortController();
    const started = performance.now();
    const pending = grade(`${inlineStyle}\nDO $$ BEGIN LOOP END LOOP; END $$;`, grader, controller.signal);
    setTimeout(() => controller.abort(new Error('cancelled by the test')), 300);
    await expect(pending).rejects.toThrow('cancelled by the test');
    expect(performance.now() - started).toBeLessThan(2000);
    expect(failing(await grade(inlineStyle))).toEqual({});
  });
});

describe('sql-schema: a warm database is reused, and nothing a submission does leaks into the next grade', () => {
  const messy = `
SET search_path = public;
SET default_transaction_read_only = off;
CREATE SCHEMA audit;
CREATE TYPE audit.kind AS ENUM ('insert', 'update');
CREATE TABLE audit.events (id serial PRIMARY KEY, kind audit.kind NOT NULL);
CREATE SEQUENCE tickets;
CREATE FUNCTION audit.record() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN INSERT INTO audit.events (kind) VALUES (lower(TG_OP)::audit.kind); RETURN NEW; END $$;
COMMIT;
BEGIN;
${inlineStyle}
COMMIT;
CREATE TRIGGER books_audit AFTER INSERT ON books FOR EACH ROW EXECUTE FUNCTION audit.record();
CREATE TEMP TABLE scratch (x int);
PREPARE find_book AS SELECT * FROM books WHERE id = $1;
SET default_transaction_read_only = on;
`;

  it('a file that commits on its own and creates schemas, types, functions and triggers can be graded again and again', async () => {
    const before = { ...database.stats };
    for (let round = 0; round < 3; round++) {
      const outcome = await grade(messy);
      expect(failing(outcome)).toEqual({});
      expect(outcome.diagram?.tables.map((t) => t.name)).toEqual(['authors', 'books', 'audit.events']);
    }
    const plain = await grade(inlineStyle);
    expect(failing(plain)).toEqual({});
    expect(plain.diagram?.tables.map((t) => t.name)).toEqual(['authors', 'books']);
    // Cleaned by dropping and recreating, not by starting a new database.
    expect(database.stats.snapshotBoots).toBe(before.snapshotBoots);
    expect(database.stats.coldBoots).toBe(before.coldBoots);
    expect(database.stats.cleanResets).toBeGreaterThanOrEqual(before.cleanResets + 3);
  });

  it('changes outside the schemas (a role, a function in pg_catalog, ALTER SYSTEM) replace the database', async () => {
    const tamper = `${inlineStyle}
CREATE ROLE intruder;
CREATE FUNCTION pg_catalog.shelf_backdoor() RETURNS int LANGUAGE sql AS 'SELECT 1';
ALTER SYSTEM SET work_mem = '1MB';
`;
    const before = { ...database.stats };
    expect(failing(await grade(tamper))).toEqual({});
    // Had the role or the function survived, this run would fail with "already exists".
    expect(failing(await grade(tamper))).toEqual({});
    expect(failing(await grade(inlineStyle))).toEqual({});
    expect(database.stats.dirtyResets).toBe(before.dirtyResets + 2);
    expect(database.stats.snapshotBoots).toBe(before.snapshotBoots + 2);
  });

  it('an event trigger that refuses DDL cannot stop the clean-up', async () => {
    const outcome = await grade(`${inlineStyle}
CREATE FUNCTION no_ddl() RETURNS event_trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'no DDL here'; END $$;
CREATE EVENT TRIGGER no_ddl ON ddl_command_start EXECUTE FUNCTION no_ddl();`);
    expect(failing(outcome)).toEqual({});
    expect(failing(await grade(inlineStyle))).toEqual({});
  });

  it('grades that arrive together wait for each other', async () => {
    const outcomes = await Promise.all([grade(inlineStyle), grade(messy), grade(inlineStyle.replace('REFERENCES authors', ''))]);
    expect(failing(outcomes[0]!)).toEqual({});
    expect(failing(outcomes[1]!)).toEqual({});
    expect(Object.keys(failing(outcomes[2]!))).toContain('books-author-id-references-authors');
  });

  it('dispose() ends the worker thread; a later grade starts a new one from the snapshot', async () => {
    await grade(inlineStyle);
    expect(database.runningWorkers).toBe(1);
    await grader.dispose!();
    expect(database.runningWorkers).toBe(0);
    const snapshotBoots = database.stats.snapshotBoots;
    expect(failing(await grade(inlineStyle))).toEqual({});
    expect(database.stats.snapshotBoots).toBe(snapshotBoots + 1);
    await database.dispose();
    expect(database.runningWorkers).toBe(0);
  });
});
