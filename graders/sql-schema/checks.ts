import { type CheckSpec, type Verdict, fail, pass } from '../core/checks.ts';
import { type CatalogColumn, type CatalogTable, type OnDelete, displayName, findTable } from './catalog.ts';
import {
  DEFAULT,
  type ProbeContext,
  type ProbeRun,
  ProbeSetupError,
  type RowValues,
  type Step,
  type Value,
  insert,
  isRefusal,
  literal,
  runProbe,
} from './probes.ts';

/**
 * The rubric helpers of the sql-schema kind. Each returns a check that judges the catalog
 * (`table`, `primaryKey`, `foreignKey`, `index`) or behaviour (`unique`, `defaultsTo`, `rule`
 * with `rejects`/`accepts`), so an exercise's grader.ts reads like its brief.
 */

export interface SchemaContext extends ProbeContext {
  /** The graded file, for messages. */
  file: string;
}

export type SchemaCheck = CheckSpec<SchemaContext>;

/** What every helper lets an exercise override. */
export interface CheckOptions {
  id?: string;
  title?: string;
  points?: number;
  hint?: string;
}

// ---------------------------------------------------------------------------------------------
// Types

export type TypeFamily = 'integer' | 'key' | 'text' | 'timestamptz' | 'timestamp' | 'date' | 'boolean' | 'numeric' | 'uuid' | 'enum';

const families: Record<TypeFamily, { label: string; test(column: CatalogColumn): boolean }> = {
  integer: { label: 'an integer type (integer, bigint, smallint; serial and identity columns are integers)', test: (c) => ['int2', 'int4', 'int8'].includes(c.baseType) },
  key: { label: 'an integer type (integer, bigint; serial and identity columns are integers) or uuid', test: (c) => ['int2', 'int4', 'int8', 'uuid'].includes(c.baseType) },
  text: { label: 'a text type (text or varchar)', test: (c) => ['text', 'varchar', 'bpchar', 'citext'].includes(c.baseType) },
  timestamptz: { label: 'timestamp with time zone (timestamptz)', test: (c) => c.baseType === 'timestamptz' },
  timestamp: { label: 'timestamp', test: (c) => c.baseType === 'timestamp' },
  date: { label: 'date', test: (c) => c.baseType === 'date' },
  boolean: { label: 'boolean', test: (c) => c.baseType === 'bool' },
  numeric: { label: 'numeric', test: (c) => c.baseType === 'numeric' },
  uuid: { label: 'uuid', test: (c) => c.baseType === 'uuid' },
  enum: { label: 'an enum type', test: (c) => c.enumLabels !== null },
};

export interface ColumnSpec {
  type: TypeFamily | TypeFamily[];
  /** true: NOT NULL (or anything else that refuses NULL); false: must accept NULL. */
  required: boolean;
}

/** A column every row must have. */
export const required = (type: ColumnSpec['type']): ColumnSpec => ({ type, required: true });
/** A column that may be left empty (NULL). */
export const optional = (type: ColumnSpec['type']): ColumnSpec => ({ type, required: false });

// ---------------------------------------------------------------------------------------------
// Helpers shared by the checks

const kebab = (text: string) => text.replace(/[_.\s]+/g, '-').toLowerCase();

function splitTarget(target: string): [string, string] {
  const dot = target.indexOf('.');
  if (dot <= 0 || dot === target.length - 1) throw new Error(`"${target}" must be written table.column`);
  return [target.slice(0, dot), target.slice(dot + 1)];
}

function spec(defaults: Required<Omit<CheckOptions, 'points'>>, options: CheckOptions, run: (context: SchemaContext) => Promise<Verdict>): SchemaCheck {
  return {
    id: options.id ?? defaults.id,
    title: options.title ?? defaults.title,
    points: options.points ?? 1,
    hint: options.hint ?? defaults.hint,
    async run(context) {
      try {
        return await run(context);
      } catch (error) {
        // "There is no table books": the learner's fault, so a failed check, not a grader error.
        if (error instanceof ProbeSetupError) return fail(error.message);
        throw error;
      }
    },
  };
}

function requireTable(context: SchemaContext, name: string): CatalogTable {
  const table = findTable(context.catalog, name);
  if (table) return table;
  const lookalike = context.catalog.tables.find((candidate) => candidate.name.toLowerCase() === name.toLowerCase());
  throw new ProbeSetupError(
    lookalike
      ? `There is no table ${name}, but there is "${lookalike.name}": a name in double quotes keeps its capitals, so queries that say ${name} will not find it.`
      : `There is no table ${name}.`,
  );
}

function columnOf(table: CatalogTable, name: string): CatalogColumn | undefined {
  return table.columns.find((column) => column.name === name);
}

function templateValue(context: SchemaContext, table: string, column: string): string | number | boolean | null {
  const value: Value | undefined = context.rows[table]?.[column];
  const n = context.counter.next++;
  if (typeof value === 'function') return value(n);
  if (value === undefined || (value !== null && typeof value === 'object')) return `value-${n}`;
  return value;
}

/** The statements a probe ran, for a check's output: a learner can paste them into psql. */
function transcript(run: ProbeRun): string {
  const lines = run.statements.map((statement) => statement.display);
  if (run.failure) lines.push(`-- refused: ${run.failure.error.message}`);
  return lines.join('\n');
}

// ---------------------------------------------------------------------------------------------
// Probes

export interface Probe {
  expect: 'refused' | 'saved';
  description: string;
  steps: Step[];
}

/** The last step must be refused by PostgreSQL (a constraint, a type or a trigger); the others must succeed. */
export function rejects(description: string, ...steps: (Step | string)[]): Probe {
  return { expect: 'refused', description, steps: steps.map(asStep) };
}

/** Every step must succeed. */
export function accepts(description: string, ...steps: (Step | string)[]): Probe {
  return { expect: 'saved', description, steps: steps.map(asStep) };
}

function asStep(step: Step | string): Step {
  return typeof step === 'string' ? { kind: 'sql', text: step } : step;
}

/**
 * `misbehaved`: the database did the wrong thing (saved what it should refuse, or the reverse).
 * `blocked`: the probe could not be tried, because PostgreSQL refused a row for another reason
 * (usually a missing column that another check reports).
 */
type ProbeVerdict =
  | { ok: true; run: ProbeRun }
  | { ok: false; kind: 'misbehaved'; run: ProbeRun; message: string }
  | { ok: false; kind: 'blocked'; run: ProbeRun; reason: string };

async function judge(context: SchemaContext, probe: Probe): Promise<ProbeVerdict> {
  const run = await runProbe(context, probe.steps);
  const failure = run.failure;
  const last = probe.steps.length - 1;
  if (probe.expect === 'saved') {
    if (!failure) return { ok: true, run };
    return isRefusal(failure.error) && failure.own && failure.step === last
      ? { ok: false, kind: 'misbehaved', run, message: `Refused, but it should be saved: ${probe.description} (PostgreSQL said: ${failure.error.message}).` }
      : { ok: false, kind: 'blocked', run, reason: failure.error.message };
  }
  if (!failure) return { ok: false, kind: 'misbehaved', run, message: `Saved, but it should be refused: ${probe.description}.` };
  if (failure.step !== last || !failure.own || !isRefusal(failure.error)) return { ok: false, kind: 'blocked', run, reason: failure.error.message };
  return { ok: true, run };
}

/** Runs probes in order; reports every one that misbehaved (with the SQL of the first), then what blocked the others. */
async function judgeAll(context: SchemaContext, probes: Probe[]): Promise<Verdict> {
  const misbehaved: Extract<ProbeVerdict, { kind: 'misbehaved' }>[] = [];
  const blocked: Extract<ProbeVerdict, { kind: 'blocked' }>[] = [];
  for (const probe of probes) {
    const verdict = await judge(context, probe);
    if (verdict.ok) continue;
    if (verdict.kind === 'misbehaved') misbehaved.push(verdict);
    else blocked.push(verdict);
  }
  if (misbehaved.length === 0 && blocked.length === 0) return pass();
  const sentences = misbehaved.map((verdict) => verdict.message);
  if (blocked.length > 0) {
    const reasons = [...new Set(blocked.map((verdict) => verdict.reason))];
    sentences.push(
      `${blocked.length === probes.length ? 'This rule could not be tried' : `${blocked.length} of its ${probes.length} tries could not be made`}: ` +
        `PostgreSQL refused a row the grader needed (${reasons.join('; ')}).`,
    );
  }
  return fail(sentences.join(' '), { output: transcript((misbehaved[0] ?? blocked[0])!.run) });
}

/**
 * A rule of the brief proven by behaviour: inserts that must be refused and inserts that must be
 * saved. Whatever enforces it (CHECK, enum, domain, trigger) is fine.
 */
export function rule(id: string, title: string, probes: Probe[], options: Omit<CheckOptions, 'id' | 'title'> & { hint: string }): SchemaCheck {
  if (!probes.some((probe) => probe.expect === 'refused') || !probes.some((probe) => probe.expect === 'saved')) {
    throw new Error(`rule "${id}" needs at least one rejects() and one accepts(), so that a refusal proves the rule and not a broken table`);
  }
  return spec({ id, title, hint: options.hint }, options, (context) => judgeAll(context, probes));
}

// ---------------------------------------------------------------------------------------------
// Catalog checks

/**
 * A table with these columns, each of the right type family and nullability. Extra columns are
 * fine. A required column may be NOT NULL or refuse NULL some other way (a CHECK, a trigger).
 */
export function table(name: string, columns: Record<string, ColumnSpec>, options: CheckOptions = {}): SchemaCheck {
  const names = Object.keys(columns);
  const list = names.length > 1 ? `${names.slice(0, -1).join(', ')} and ${names.at(-1)}` : (names[0] ?? '');
  return spec(
    {
      id: `${kebab(name)}-table`,
      title: `Table ${name} has ${list}, with the right types`,
      hint: 'Compare each column with the brief: its name, the family of its type, and whether it may be empty (NULL).',
    },
    options,
    async (context) => {
      const found = requireTable(context, name);
      const problems: string[] = [];
      for (const [columnName, want] of Object.entries(columns)) {
        const column = columnOf(found, columnName);
        if (!column) {
          const lookalike = found.columns.find((candidate) => candidate.name.toLowerCase() === columnName.toLowerCase());
          problems.push(lookalike ? `the column is called "${lookalike.name}", not ${columnName} (quotes keep capitals)` : `there is no column ${columnName}`);
          continue;
        }
        const wanted = Array.isArray(want.type) ? want.type : [want.type];
        if (!wanted.some((family) => families[family].test(column))) {
          problems.push(`${columnName} is ${column.type}, but it should be ${wanted.map((family) => families[family].label).join(' or ')}`);
        }
        const inKey = found.primaryKey?.includes(columnName) ?? false;
        if (want.required && !column.notNull && !inKey && !(await refusesNull(context, found, columnName))) {
          problems.push(`${columnName} may be left empty (NULL), but every row needs one`);
        }
        if (!want.required && (column.notNull || inKey)) problems.push(`${columnName} is NOT NULL, but the brief lets it be empty`);
      }
      return problems.length === 0 ? pass() : fail(`In ${displayName(found)}: ${problems.join('; ')}.`);
    },
  );
}

/** Whether a valid row with `column` set to NULL is refused (a CHECK or trigger instead of NOT NULL). */
async function refusesNull(context: SchemaContext, found: CatalogTable, column: string): Promise<boolean> {
  const run = await runProbe(context, [insert(found.name, { [column]: null })]);
  return run.failure !== undefined && run.failure.own && isRefusal(run.failure.error);
}

/** The table's primary key is exactly these columns; with `generated`, the database makes the values. */
export function primaryKey(name: string, columns: string[], options: CheckOptions & { generated?: boolean } = {}): SchemaCheck {
  const wanted = `(${columns.join(', ')})`;
  return spec(
    {
      id: `${kebab(name)}-primary-key`,
      title: options.generated ? `${name}.${columns.join(', ')} is a primary key the database generates` : `${name} has the primary key ${wanted}`,
      hint: options.generated
        ? 'A primary key identifies each row; let the database number new rows (an identity column or serial) so no one has to invent ids.'
        : 'A primary key identifies each row: unique and never empty. Declare it as PRIMARY KEY, inline or as a table constraint.',
    },
    options,
    async (context) => {
      const found = requireTable(context, name);
      if (!found.primaryKey) {
        const almost = found.uniques.some((unique) => sameSet(unique, columns));
        return fail(
          `${displayName(found)} has no primary key.` +
            (almost ? ` ${wanted} is unique, but a primary key also says "this is how rows are identified" (and forbids NULL).` : ''),
        );
      }
      if (!sameSet(found.primaryKey, columns)) {
        return fail(`The primary key of ${displayName(found)} is (${found.primaryKey.join(', ')}); it should be ${wanted}.`);
      }
      if (!options.generated) return pass();
      const [keyColumn] = columns;
      const column = keyColumn ? columnOf(found, keyColumn) : undefined;
      if (!column || (!column.hasDefault && column.identity === '')) {
        return fail(`${displayName(found)}.${keyColumn} has no default and is not an identity column, so every insert would have to invent an id.`);
      }
      const values: RowValues = Object.fromEntries(columns.map((key) => [key, DEFAULT]));
      const verdict = await judge(context, accepts(`two ${name} rows inserted without ${keyColumn}`, insert(name, values), insert(name, values)));
      if (!verdict.ok) {
        const message = verdict.kind === 'misbehaved' ? verdict.message : `Could not insert ${name} rows to try it: ${verdict.reason}.`;
        return fail(message, { output: transcript(verdict.run) });
      }
      const ids = verdict.run.inserted.filter((entry) => entry.table === found.name).map((entry) => entry.row[keyColumn!]);
      if (ids.length === 2 && ids[0] !== null && ids[0] !== ids[1]) return pass();
      return fail(`Two ${name} rows inserted without ${keyColumn} got ${ids.map((id) => literal(id ?? null)).join(' and ')}: each row needs a new value.`, {
        output: transcript(verdict.run),
      });
    },
  );
}

/** No two rows may share a value of `table.column` (proven by behaviour: any UNIQUE constraint or unique index does). */
export function unique(target: string, options: CheckOptions & { noun?: string } = {}): SchemaCheck {
  const [name, column] = splitTarget(target);
  const noun = options.noun ?? `${name} rows`;
  return spec(
    {
      id: `${kebab(name)}-${kebab(column)}-unique`,
      title: `No two ${noun} share the same ${column.replace(/_/g, ' ')}`,
      hint: `Ask the database to refuse a second row whose ${column.replace(/_/g, ' ')} is already taken.`,
    },
    options,
    async (context) => {
      const found = requireTable(context, name);
      const value = templateValue(context, name, column);
      // The second row points to new parent rows, so a rule that is unique only per parent
      // (UNIQUE (book_id, barcode)) lets it through, as it would in the library.
      const parents = [
        ...new Set(found.foreignKeys.filter((key) => key.columns.length === 1 && key.columns[0] !== column && key.refTable !== found.name).map((key) => key.refTable)),
      ];
      const differentParents = parents.length > 0 ? `, even for different ${parents.join(' and ')}` : '';
      return judgeAll(context, [
        rejects(
          `two ${noun} with the same ${column} (${literal(value)})${differentParents}`,
          insert(name, { [column]: value }),
          ...parents.map((parent) => insert(parent)),
          insert(name, { [column]: value }),
        ),
        accepts(`two ${noun} with different ${column} values`, insert(name), insert(name)),
      ]);
    },
  );
}

/** Marks a default that must be the current time (`now()`, `CURRENT_TIMESTAMP`, …). */
export const now = { kind: 'now' } as const;

/** Leaving `table.column` out of an insert stores `expected` (a value, or {@link now}). */
export function defaultsTo(
  target: string,
  expected: string | number | typeof now,
  options: CheckOptions & {
    /** Other values of the row, when a rule ties them to this column (a due date after a loan made now). */
    with?: RowValues;
  } = {},
): SchemaCheck {
  const [name, column] = splitTarget(target);
  const shown = typeof expected === 'object' ? 'the current time' : literal(expected);
  return spec(
    {
      id: `${kebab(name)}-${kebab(column)}-default`,
      title: `${name}.${column} defaults to ${shown}`,
      hint: 'A DEFAULT fills a column when an insert leaves it out, so the application does not have to.',
    },
    options,
    async (context) => {
      const found = requireTable(context, name);
      if (!columnOf(found, column)) return fail(`${displayName(found)} has no column ${column}.`);
      let observed: string | null = null;
      let recent = false;
      const run = await runProbe(context, [insert(name, { ...options.with, [column]: DEFAULT })], async (probe) => {
        observed = probe.latest.get(found.name)?.[column] ?? null;
        if (typeof expected === 'object' && observed !== null) {
          const [row] = await context.session.query<{ recent: boolean }>(
            `SELECT abs(extract(epoch FROM (${literal(observed)}::timestamptz - now()))) < 60 AS recent`,
          );
          recent = row?.recent === true;
        }
      });
      if (run.failure) {
        return fail(`An insert that leaves out ${column} was refused (PostgreSQL said: ${run.failure.error.message}).`, { output: transcript(run) });
      }
      if (typeof expected === 'object' ? recent : observed === String(expected)) return pass();
      return fail(`An insert that leaves out ${column} stored ${observed === null ? 'NULL' : literal(observed)}, not ${shown}.`, { output: transcript(run) });
    },
  );
}

const onDeleteWords: Record<OnDelete, string> = {
  'no action': 'NO ACTION',
  restrict: 'RESTRICT',
  cascade: 'CASCADE',
  'set null': 'SET NULL',
  'set default': 'SET DEFAULT',
};

/**
 * `table.column` is a foreign key to `refTable`'s primary key. `onDelete: 'restrict'` means that
 * deleting a referenced row must fail: RESTRICT or NO ACTION (the default) both do.
 */
export function foreignKey(target: string, refTable: string, options: CheckOptions & { onDelete?: 'restrict' | 'cascade' | 'set null' | 'any'; because?: string } = {}): SchemaCheck {
  const [name, column] = splitTarget(target);
  const onDelete = options.onDelete ?? 'any';
  return spec(
    {
      id: `${kebab(name)}-${kebab(column)}-references-${kebab(refTable)}`,
      title:
        onDelete === 'restrict'
          ? `${name}.${column} references ${refTable}, and a row of ${refTable} that is still referenced cannot be deleted`
          : `${name}.${column} references ${refTable}`,
      hint:
        onDelete === 'restrict'
          ? `A foreign key makes the database check that the row of ${refTable} exists. Then think about what should happen to the rows of ${name} when the row they point to is deleted.`
          : `A foreign key makes the database check that the row of ${refTable} exists.`,
    },
    options,
    async (context) => {
      const found = requireTable(context, name);
      const parent = requireTable(context, refTable);
      if (!columnOf(found, column)) return fail(`${displayName(found)} has no column ${column}.`);
      const keys = found.foreignKeys.filter((key) => key.columns.length === 1 && key.columns[0] === column);
      const key = keys.find((candidate) => candidate.refTable === parent.name && candidate.refSchema === parent.schema);
      if (!key) {
        const elsewhere = keys[0];
        return fail(
          elsewhere
            ? `${displayName(found)}.${column} references ${elsewhere.refTable}, not ${refTable}.`
            : `${displayName(found)}.${column} does not reference ${refTable}: nothing stops a row of ${name} from pointing to a row of ${refTable} that does not exist.`,
        );
      }
      if (parent.primaryKey && !sameSet(key.refColumns, parent.primaryKey)) {
        return fail(`${displayName(found)}.${column} references ${refTable}(${key.refColumns.join(', ')}) rather than its primary key (${parent.primaryKey.join(', ')}).`);
      }
      const allowed: OnDelete[] | null =
        onDelete === 'restrict' ? ['restrict', 'no action'] : onDelete === 'any' ? null : [onDelete];
      if (allowed && !allowed.includes(key.onDelete)) {
        const consequence =
          key.onDelete === 'cascade'
            ? `deleting a row of ${refTable} would silently delete the rows of ${name} that point to it`
            : key.onDelete === 'set null'
              ? `deleting a row of ${refTable} would empty ${column} in the rows of ${name} that point to it`
              : `deleting a row of ${refTable} would change the rows of ${name} that point to it`;
        return fail(
          `${displayName(found)}.${column} is ON DELETE ${onDeleteWords[key.onDelete]}: ${consequence}.` + (options.because ? ` ${options.because}` : ''),
        );
      }
      return pass();
    },
  );
}

/** An index whose first column is `column` (a primary key or unique constraint's index counts; a partial index does not). */
export function index(name: string, column: string, options: CheckOptions & { purpose?: string } = {}): SchemaCheck {
  return spec(
    {
      id: `${kebab(name)}-${kebab(column)}-index`,
      title: options.purpose ? `${options.purpose} is served by an index on ${name}.${column}` : `An index on ${name} starts with ${column}`,
      hint: 'Without an index, finding the rows with one value means reading the whole table. Which column does the search use?',
    },
    options,
    async (context) => {
      const found = requireTable(context, name);
      if (!columnOf(found, column)) return fail(`${displayName(found)} has no column ${column}.`);
      const usable = found.indexes.filter((candidate) => candidate.valid && candidate.columns[0] === column);
      if (usable.some((candidate) => !candidate.partial)) return pass();
      if (usable.length > 0) {
        return fail(`The index ${usable[0]!.name} starts with ${column}, but it is partial (it has a WHERE clause), so it only covers some rows.`);
      }
      const later = found.indexes.find((candidate) => candidate.columns.includes(column));
      if (later) {
        return fail(
          `The index ${later.name} is on (${later.columns.map((part) => part ?? '<expression>').join(', ')}); it starts with ${later.columns[0] ?? 'an expression'}, so it cannot find rows by ${column} alone.`,
        );
      }
      return fail(`No index of ${displayName(found)} starts with ${column}: finding rows by ${column} would read the whole table.`);
    },
  );
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((item) => b.includes(item));
}
