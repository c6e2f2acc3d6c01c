import { describe, expect, it } from 'vitest';
import { excerpt, lineAndColumn, offsetOfPosition, splitStatements } from '../../graders/sql-schema/statements.ts';

/** The splitter only locates errors (PostgreSQL judges the file), but a wrong split would point at the wrong line. */
const texts = (sql: string) => splitStatements(sql).map((statement) => statement.text.trim());

describe('splitStatements (as psql splits a file)', () => {
  it('splits on semicolons and drops empty statements and comment-only tails', () => {
    expect(texts('CREATE TABLE a (id int);;\n\nCREATE TABLE b (id int); -- done\n/* nothing */')).toEqual(['CREATE TABLE a (id int)', 'CREATE TABLE b (id int)']);
  });

  it('ignores semicolons in strings, quoted names, comments and dollar quotes', () => {
    const sql = [
      "INSERT INTO t VALUES ('a;b', 'it''s; fine', E'back\\'; still', \"odd;name\");",
      '-- a comment; with a semicolon',
      '/* block; /* nested; */ still comment; */ SELECT 1;',
      'CREATE FUNCTION f() RETURNS int LANGUAGE plpgsql AS $body$ BEGIN RETURN 1; END; $body$;',
      'DO $$ BEGIN PERFORM 1; END $$;',
    ].join('\n');
    const split = texts(sql);
    expect(split).toHaveLength(4);
    expect(split[0]).toContain("E'back\\'; still'");
    expect(split[1]).toMatch(/SELECT 1$/);
    expect(split[2]).toMatch(/^CREATE FUNCTION f\(\).*\$body\$$/s);
    expect(split[3]).toBe('DO $$ BEGIN PERFORM 1; END $$');
  });

  it('does not take $1 or a$b for dollar quotes', () => {
    expect(texts('PREPARE p AS SELECT $1; SELECT 1 AS a$b; SELECT 2')).toEqual(['PREPARE p AS SELECT $1', 'SELECT 1 AS a$b', 'SELECT 2']);
  });

  it('keeps semicolons inside parentheses and BEGIN ATOMIC bodies, as psql does', () => {
    const sql = `CREATE RULE r AS ON INSERT TO t DO ALSO (INSERT INTO log VALUES (1); INSERT INTO log VALUES (2));
CREATE FUNCTION add(a int, b int) RETURNS int LANGUAGE sql
BEGIN ATOMIC
  SELECT CASE WHEN a > 0 THEN a ELSE 0 END + b;
END;
CREATE OR REPLACE PROCEDURE p() LANGUAGE sql BEGIN ATOMIC INSERT INTO t VALUES (1); END;
SELECT 'after';`;
    const split = texts(sql);
    expect(split).toHaveLength(4);
    expect(split[1]).toMatch(/^CREATE FUNCTION add.*END$/s);
    expect(split[2]).toMatch(/^CREATE OR REPLACE PROCEDURE p\(\).*END$/s);
    expect(split[3]).toBe("SELECT 'after'");
  });

  it('a BEGIN that starts a transaction is not a body', () => {
    expect(texts('BEGIN; CREATE TABLE t (id int); COMMIT;')).toEqual(['BEGIN', 'CREATE TABLE t (id int)', 'COMMIT']);
  });

  it('records where each statement starts and where its first token is', () => {
    const sql = 'SELECT 1;\n\n-- the second\nSELECT 2;';
    const [first, second] = splitStatements(sql);
    expect(first).toMatchObject({ start: 0, firstToken: 0 });
    expect(second!.start).toBe(9);
    expect(lineAndColumn(sql, second!.firstToken)).toEqual({ line: 4, column: 1 });
  });
});

describe('positions', () => {
  it('counts PostgreSQL positions in characters, not UTF-16 units', () => {
    const sql = "SELECT '😀', 'é' x";
    // PostgreSQL would say position 18 for the "x" (the emoji is one character).
    expect(sql.slice(offsetOfPosition(sql, 17))).toBe('x');
  });

  it('shows the line with a caret under the column', () => {
    const sql = 'CREATE TABLE t (\n  id int,\n  name tex t\n);';
    const offset = sql.indexOf('t\n);');
    expect(lineAndColumn(sql, offset)).toEqual({ line: 3, column: 12 });
    expect(excerpt(sql, offset)).toBe('3 |   name tex t\n  |            ^');
  });
});
