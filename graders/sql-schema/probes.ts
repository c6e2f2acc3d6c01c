import { type Catalog, type CatalogColumn, type CatalogTable, displayName, findTable } from './catalog.ts';
import type { DatabaseSession } from './database.ts';
import type { DbError } from './protocol.ts';

/**
 * Behaviour probes: small sequences of inserts and deletes run in a transaction that is always
 * rolled back. Rows are built from the exercise's valid rows (one per table, keeping every rule),
 * with one thing changed, so a refusal can only come from the rule under test. Columns the brief
 * does not know (a learner's extra NOT NULL column) are filled with a plausible value of their
 * type, and a required reference gets a parent row inserted first.
 */

/** Stands for the key of the latest row of `table` in the probe (one is inserted if there is none). */
export interface RefValue {
  kind: 'ref';
  table: string;
}
/** SQL written as-is, for example `now()`. */
export interface SqlValue {
  kind: 'sql';
  text: string;
}
/** The column's DEFAULT. */
export interface DefaultValue {
  kind: 'default';
}

/** A value in a row: a literal, a function of a counter (for values that must be unique), or a marker. */
export type Value = string | number | boolean | null | ((n: number) => string | number) | RefValue | SqlValue | DefaultValue;
export type RowValues = Record<string, Value>;
/** Per table, a row that keeps every rule of the brief. */
export type RowTemplates = Record<string, RowValues>;

export const ref = (table: string): RefValue => ({ kind: 'ref', table });
export const sql = (text: string): SqlValue => ({ kind: 'sql', text });
export const DEFAULT: DefaultValue = { kind: 'default' };

export type Step =
  | { kind: 'insert'; table: string; values: RowValues }
  | { kind: 'delete'; table: string }
  | { kind: 'sql'; text: string };

/** Inserts a valid row of `table`, with `values` changed. */
export const insert = (table: string, values: RowValues = {}): Step => ({ kind: 'insert', table, values });
/** Deletes the latest row inserted into `table` in this probe. */
export const remove = (table: string): Step => ({ kind: 'delete', table });

/** What a grade's probes share: the database, the catalog read after the file ran, the valid rows. */
export interface ProbeContext {
  session: DatabaseSession;
  catalog: Catalog;
  rows: RowTemplates;
  /** Makes values unique across the grade. */
  counter: { next: number };
}

/** A step the grader cannot even build (no such table): the check fails with this message. */
export class ProbeSetupError extends Error {}

export interface ProbeRun {
  /** Each statement that ran, as a learner could type it, with the index of the step it belongs to. */
  statements: { step: number; display: string }[];
  /**
   * The first statement PostgreSQL refused, if any; the probe stopped there. `own` is false when
   * it was a parent row inserted to satisfy a reference, not the step's own statement.
   */
  failure?: { step: number; own: boolean; display: string; error: DbError };
  /** The latest row inserted into each table (every column as text). */
  latest: Map<string, Record<string, string | null>>;
  /** Every row inserted, in order. */
  inserted: { table: string; row: Record<string, string | null> }[];
}

/**
 * Whether an error means "PostgreSQL refused this data": a constraint (class 23: check, unique,
 * foreign key, not null, restrict, exclusion), a type (class 22: an enum value, a `char(13)`
 * overflow, a malformed number) or a trigger or function that raised (class P0, or a RAISE with
 * an SQLSTATE of its own, which PostgreSQL's context reports as "… at RAISE").
 */
export function isRefusal(error: DbError): boolean {
  return /^(22|23|P0)/.test(error.code) || /\bat RAISE\b/.test(error.where ?? '');
}

const MAX_PARENT_DEPTH = 6;

class ProbeRunner {
  private readonly context: ProbeContext;
  readonly run: ProbeRun = { statements: [], latest: new Map(), inserted: [] };
  private step = 0;

  constructor(context: ProbeContext) {
    this.context = context;
  }

  table(name: string): CatalogTable {
    const table = findTable(this.context.catalog, name);
    if (!table) throw new ProbeSetupError(`There is no table ${name}.`);
    return table;
  }

  async execute(steps: Step[], inspect?: (run: ProbeRun) => Promise<void>): Promise<ProbeRun> {
    const { session } = this.context;
    await session.query('BEGIN');
    try {
      for (const [index, step] of steps.entries()) {
        this.step = index;
        const ok = await this.runStep(step);
        if (!ok) break;
      }
      if (!this.run.failure && inspect) await inspect(this.run);
    } finally {
      await session.query('ROLLBACK');
    }
    return this.run;
  }

  private async runStep(step: Step): Promise<boolean> {
    switch (step.kind) {
      case 'insert':
        return (await this.insert(step.table, step.values, 0)) !== undefined;
      case 'delete': {
        const table = this.table(step.table);
        const row = this.run.latest.get(table.name) ?? (await this.insert(step.table, {}, 1));
        if (!row) return false;
        const key = table.primaryKey ?? (table.columns.some((column) => column.name === 'id') ? ['id'] : null);
        if (!key) throw new ProbeSetupError(`Table ${displayName(table)} has no primary key, so the grader cannot pick one of its rows.`);
        const where = key.map((column) => `${quoteIdent(column)} = ${literal(row[column] ?? null)}`).join(' AND ');
        return this.statement(`DELETE FROM ${qualified(table)} WHERE ${where}`, `DELETE FROM ${shown(table)} WHERE ${where};`);
      }
      case 'sql':
        return this.statement(step.text, step.text);
    }
  }

  private async statement(text: string, display: string): Promise<boolean> {
    const result = await this.context.session.attempt(text);
    this.run.statements.push({ step: this.step, display });
    if (!result.ok) {
      this.run.failure = { step: this.step, own: true, display, error: result.error };
      return false;
    }
    return true;
  }

  /** Inserts a row; returns it (every column as text), or undefined when PostgreSQL refused it. */
  async insert(name: string, changes: RowValues, depth: number): Promise<Record<string, string | null> | undefined> {
    if (depth > MAX_PARENT_DEPTH) throw new ProbeSetupError(`The references starting at table ${name} go round in a circle too deep to fill.`);
    const table = this.table(name);
    const values: RowValues = { ...this.context.rows[table.name], ...changes };
    const n = this.context.counter.next++;

    for (const column of table.columns) {
      if (column.name in values || !needsValue(column)) continue;
      const key = table.foreignKeys.find((fk) => fk.columns.length === 1 && fk.columns[0] === column.name);
      values[column.name] = key ? ref(key.refTable) : fillerFor(column, n);
    }

    const names: string[] = [];
    const literals: string[] = [];
    for (const [column, value] of Object.entries(values)) {
      const rendered = await this.render(table, column, value, n, depth);
      if (rendered === undefined) return undefined;
      names.push(column);
      literals.push(rendered);
    }
    const head = names.length > 0 ? `(${names.map(quoteIdent).join(', ')}) VALUES (${literals.join(', ')})` : 'DEFAULT VALUES';
    const columnsAsText = table.columns.map((column) => `${quoteIdent(column.name)}::text AS ${quoteIdent(column.name)}`).join(', ');
    const text = `INSERT INTO ${qualified(table)} ${head} RETURNING ${columnsAsText || 'NULL'}`;
    const display = `INSERT INTO ${shown(table)} ${names.length > 0 ? `(${names.map(displayIdent).join(', ')}) VALUES (${literals.join(', ')})` : 'DEFAULT VALUES'};`;

    const result = await this.context.session.attempt<Record<string, string | null>>(text);
    this.run.statements.push({ step: this.step, display });
    if (!result.ok) {
      this.run.failure = { step: this.step, own: depth === 0, display, error: result.error };
      return undefined;
    }
    const row = result.rows[0] ?? {};
    this.run.latest.set(table.name, row);
    this.run.inserted.push({ table: table.name, row });
    return row;
  }

  private async render(table: CatalogTable, column: string, value: Value, n: number, depth: number): Promise<string | undefined> {
    if (typeof value === 'function') return literal(value(n));
    if (value === null || typeof value !== 'object') return literal(value);
    if (value.kind === 'sql') return value.text;
    if (value.kind === 'default') return 'DEFAULT';
    const parent = this.table(value.table);
    const row = this.run.latest.get(parent.name) ?? (await this.insert(parent.name, {}, depth + 1));
    if (!row) return undefined;
    const key = table.foreignKeys.find((fk) => fk.columns.length === 1 && fk.columns[0] === column && fk.refTable === parent.name);
    const target = key?.refColumns[0] ?? parent.primaryKey?.[0] ?? 'id';
    return literal(row[target] ?? null);
  }
}

/** Runs `steps` in a transaction that is rolled back, stopping at the first refused statement. */
export function runProbe(context: ProbeContext, steps: Step[], inspect?: (run: ProbeRun) => Promise<void>): Promise<ProbeRun> {
  return new ProbeRunner(context).execute(steps, inspect);
}

/** A column an INSERT must give a value to: required, with no default, not generated. */
function needsValue(column: CatalogColumn): boolean {
  return column.notNull && !column.hasDefault && column.identity === '' && column.generated === '';
}

/** A plausible value for a column the brief does not know, by its type. */
function fillerFor(column: CatalogColumn, n: number): Value {
  if (column.enumLabels && column.enumLabels.length > 0) return column.enumLabels[0]!;
  switch (column.baseType) {
    case 'uuid':
      return `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
    case 'bool':
      return false;
    case 'date':
      return '2026-03-01';
    case 'timestamp':
    case 'timestamptz':
      return '2026-03-01 12:00:00+00';
    case 'time':
    case 'timetz':
      return '12:00';
    case 'interval':
      return '1 day';
    case 'json':
    case 'jsonb':
      return '{}';
    case 'inet':
    case 'cidr':
      return '192.0.2.1';
  }
  switch (column.category) {
    case 'N':
      return n;
    case 'S':
      return `x${n}`;
    case 'A':
      return '{}';
    default:
      return sql('NULL');
  }
}

export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}

/** How a learner would write the name: bare when it needs no quotes. */
function displayIdent(name: string): string {
  return /^[a-z_][a-z0-9_]*$/.test(name) ? name : quoteIdent(name);
}

function qualified(table: CatalogTable): string {
  return `${quoteIdent(table.schema)}.${quoteIdent(table.name)}`;
}

function shown(table: CatalogTable): string {
  return table.schema === 'public' ? displayIdent(table.name) : `${displayIdent(table.schema)}.${displayIdent(table.name)}`;
}

/** A SQL literal: strings quoted (PostgreSQL casts them to the column's type), numbers bare. */
export function literal(value: string | number | boolean | null): string {
  if (value === null) return 'NULL';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : 'NULL';
  if (typeof value === 'boolean') return value ? 'true' : 'false';
  return `'${value.replace(/'/g, "''")}'`;
}
