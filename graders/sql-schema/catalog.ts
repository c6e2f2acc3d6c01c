import type { ErDiagram } from '../core/report.ts';
import type { DatabaseSession } from './database.ts';

/**
 * The learner's schema as PostgreSQL's catalog describes it, read in one query after the file ran.
 * Checks judge this, never the text of the file: a key declared inline, by name, by ALTER TABLE
 * or as a separate index all look the same here.
 */

export interface CatalogColumn {
  name: string;
  /** As PostgreSQL prints it: `character varying(200)`, `timestamp with time zone`, `copy_status`. */
  type: string;
  /** The type under any domain: `int4`, `varchar`, `timestamptz`, or the enum's own name. */
  baseType: string;
  /** pg_type.typcategory of the base type: N numeric, S string, D date/time, E enum, U user-defined, … */
  category: string;
  enumLabels: string[] | null;
  notNull: boolean;
  hasDefault: boolean;
  /** `a` GENERATED ALWAYS AS IDENTITY, `d` BY DEFAULT, `` neither. */
  identity: string;
  /** `s` for a stored generated column, `v` virtual, `` neither. */
  generated: string;
}

export type OnDelete = 'no action' | 'restrict' | 'cascade' | 'set null' | 'set default';

export interface CatalogForeignKey {
  name: string;
  columns: string[];
  refSchema: string;
  refTable: string;
  refColumns: string[];
  onDelete: OnDelete;
}

export interface CatalogIndex {
  name: string;
  /** Key columns in order; `null` for an expression. */
  columns: (string | null)[];
  unique: boolean;
  primary: boolean;
  partial: boolean;
  valid: boolean;
  method: string;
}

export interface CatalogTable {
  schema: string;
  name: string;
  columns: CatalogColumn[];
  primaryKey: string[] | null;
  /** UNIQUE constraints and unique indexes (not partial, no expressions), as column lists. */
  uniques: string[][];
  foreignKeys: CatalogForeignKey[];
  checks: { name: string; definition: string }[];
  indexes: CatalogIndex[];
  triggers: string[];
}

export interface Catalog {
  tables: CatalogTable[];
}

const onDeleteCodes: Record<string, OnDelete> = { a: 'no action', r: 'restrict', c: 'cascade', n: 'set null', d: 'set default' };

/** Every table in a schema the submission created or used (not PostgreSQL's own). */
const catalogQuery = `
WITH rels AS (
  SELECT c.oid, n.nspname AS schema, c.relname AS name
  FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
  WHERE c.relkind IN ('r', 'p')
    AND n.nspname <> 'information_schema' AND n.nspname !~ '^pg_'
)
SELECT coalesce(json_agg(json_build_object(
  'schema', r.schema,
  'name', r.name,
  'columns', (
    SELECT coalesce(json_agg(json_build_object(
      'name', a.attname,
      'type', pg_catalog.format_type(a.atttypid, a.atttypmod),
      'baseType', bt.typname,
      'category', bt.typcategory,
      'enumLabels', (SELECT json_agg(e.enumlabel ORDER BY e.enumsortorder) FROM pg_catalog.pg_enum e WHERE e.enumtypid = bt.oid),
      'notNull', a.attnotnull,
      'hasDefault', a.atthasdef,
      'identity', a.attidentity,
      'generated', a.attgenerated
    ) ORDER BY a.attnum), '[]'::json)
    FROM pg_catalog.pg_attribute a
    CROSS JOIN LATERAL (
      WITH RECURSIVE chain(type_oid, depth) AS (
        SELECT a.atttypid, 0
        UNION ALL
        SELECT t.typbasetype, chain.depth + 1 FROM chain JOIN pg_catalog.pg_type t ON t.oid = chain.type_oid
        WHERE t.typtype = 'd' AND chain.depth < 10
      )
      SELECT t.oid, t.typname, t.typcategory FROM chain JOIN pg_catalog.pg_type t ON t.oid = chain.type_oid
      ORDER BY chain.depth DESC LIMIT 1
    ) bt
    WHERE a.attrelid = r.oid AND a.attnum > 0 AND NOT a.attisdropped
  ),
  'constraints', (
    SELECT coalesce(json_agg(json_build_object(
      'name', co.conname,
      'type', co.contype,
      'columns', (SELECT json_agg(att.attname ORDER BY k.ord) FROM unnest(co.conkey) WITH ORDINALITY k(num, ord)
                  JOIN pg_catalog.pg_attribute att ON att.attrelid = co.conrelid AND att.attnum = k.num),
      'refSchema', fn.nspname,
      'refTable', fr.relname,
      'refColumns', (SELECT json_agg(att.attname ORDER BY k.ord) FROM unnest(co.confkey) WITH ORDINALITY k(num, ord)
                     JOIN pg_catalog.pg_attribute att ON att.attrelid = co.confrelid AND att.attnum = k.num),
      'onDelete', co.confdeltype,
      'definition', pg_catalog.pg_get_constraintdef(co.oid)
    ) ORDER BY co.conname), '[]'::json)
    FROM pg_catalog.pg_constraint co
    LEFT JOIN pg_catalog.pg_class fr ON fr.oid = co.confrelid
    LEFT JOIN pg_catalog.pg_namespace fn ON fn.oid = fr.relnamespace
    WHERE co.conrelid = r.oid AND co.contype IN ('p', 'u', 'f', 'c', 'x')
  ),
  'indexes', (
    SELECT coalesce(json_agg(json_build_object(
      'name', ic.relname,
      'columns', (SELECT json_agg(att.attname ORDER BY k.ord) FROM unnest(i.indkey::int2[]) WITH ORDINALITY k(num, ord)
                  LEFT JOIN pg_catalog.pg_attribute att ON att.attrelid = i.indrelid AND att.attnum = k.num
                  WHERE k.ord <= i.indnkeyatts),
      'unique', i.indisunique,
      'primary', i.indisprimary,
      'partial', i.indpred IS NOT NULL,
      'valid', i.indisvalid,
      'method', am.amname
    ) ORDER BY ic.relname), '[]'::json)
    FROM pg_catalog.pg_index i
    JOIN pg_catalog.pg_class ic ON ic.oid = i.indexrelid
    JOIN pg_catalog.pg_am am ON am.oid = ic.relam
    WHERE i.indrelid = r.oid
  ),
  'triggers', (SELECT coalesce(json_agg(t.tgname ORDER BY t.tgname), '[]'::json) FROM pg_catalog.pg_trigger t WHERE t.tgrelid = r.oid AND NOT t.tgisinternal)
) ORDER BY r.schema = 'public' DESC, r.schema, r.name), '[]'::json)::text AS tables
FROM rels r`;

interface RawConstraint {
  name: string;
  type: 'p' | 'u' | 'f' | 'c' | 'x';
  columns: string[] | null;
  refSchema: string | null;
  refTable: string | null;
  refColumns: string[] | null;
  onDelete: string;
  definition: string;
}

interface RawTable {
  schema: string;
  name: string;
  columns: CatalogColumn[];
  constraints: RawConstraint[];
  indexes: CatalogIndex[];
  triggers: string[];
}

export async function readCatalog(session: DatabaseSession): Promise<Catalog> {
  const [row] = await session.query<{ tables: string }>(catalogQuery);
  const raw = JSON.parse(row?.tables ?? '[]') as RawTable[];
  return { tables: raw.map(toTable) };
}

function toTable(raw: RawTable): CatalogTable {
  const primary = raw.constraints.find((constraint) => constraint.type === 'p');
  const uniques = [
    ...raw.constraints.filter((constraint) => constraint.type === 'u' && constraint.columns).map((constraint) => constraint.columns!),
    ...raw.indexes
      .filter((index) => index.unique && !index.primary && !index.partial && index.columns.every((column) => column !== null))
      .map((index) => index.columns as string[]),
  ];
  return {
    schema: raw.schema,
    name: raw.name,
    columns: raw.columns.map((column) => ({ ...column, enumLabels: column.enumLabels ?? null })),
    primaryKey: primary?.columns ?? null,
    uniques: dedupe(uniques),
    foreignKeys: raw.constraints
      .filter((constraint) => constraint.type === 'f')
      .map((constraint) => ({
        name: constraint.name,
        columns: constraint.columns ?? [],
        refSchema: constraint.refSchema ?? '',
        refTable: constraint.refTable ?? '',
        refColumns: constraint.refColumns ?? [],
        onDelete: onDeleteCodes[constraint.onDelete] ?? 'no action',
      })),
    checks: raw.constraints.filter((constraint) => constraint.type === 'c').map(({ name, definition }) => ({ name, definition })),
    indexes: raw.indexes.map((index) => ({ ...index, columns: index.columns ?? [] })),
    triggers: raw.triggers,
  };
}

function dedupe(lists: string[][]): string[][] {
  const seen = new Set<string>();
  return lists.filter((list) => {
    const key = [...list].sort().join('\0');
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * The table a brief's name refers to: the one in `public` (where an unqualified CREATE TABLE puts
 * it), else the first of that name in another schema.
 */
export function findTable(catalog: Catalog, name: string): CatalogTable | undefined {
  return catalog.tables.find((table) => table.name === name && table.schema === 'public') ?? catalog.tables.find((table) => table.name === name);
}

/** The SQL name of a table, schema-qualified only outside `public`. */
export function displayName(table: { schema: string; name: string }): string {
  return table.schema === 'public' ? table.name : `${table.schema}.${table.name}`;
}

/** The entity-relationship diagram of the schema, for the workbench. */
export function toDiagram(catalog: Catalog): ErDiagram {
  return {
    tables: catalog.tables.map((table) => ({
      name: displayName(table),
      columns: table.columns.map((column) => ({
        name: column.name,
        type: column.type,
        nullable: !column.notNull,
        primaryKey: table.primaryKey?.includes(column.name) ?? false,
        unique: table.uniques.some((columns) => columns.length === 1 && columns[0] === column.name),
      })),
    })),
    relations: catalog.tables.flatMap((table) =>
      table.foreignKeys.map((key) => ({
        fromTable: displayName(table),
        fromColumns: key.columns,
        toTable: displayName({ schema: key.refSchema, name: key.refTable }),
        toColumns: key.refColumns,
        onDelete: key.onDelete,
      })),
    ),
  };
}
