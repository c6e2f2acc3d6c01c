import { getHeapStatistics } from 'node:v8';
import { parentPort, workerData } from 'node:worker_threads';
import { PGlite } from '@electric-sql/pglite';
import type { DbError, FromWorker, Reply, Request, ToWorker, WorkerData } from './protocol.ts';

/**
 * The PGlite worker: a thin database server for the sql-schema grader. It lives in a worker thread
 * because PGlite runs on the thread that calls it and ignores `statement_timeout`: a statement
 * that never ends blocks this thread, and only the main thread's watchdog (`terminate()`) stops it.
 *
 * The learner's SQL runs as a superuser (PGlite has no other session user), so a reset cannot trust
 * what the submission did. `reset` drops every schema created since initdb and then compares a
 * fingerprint of the whole catalog with the one taken at boot; anything else that changed (a
 * role, a database, a function slipped into pg_catalog, an edited system row, ALTER SYSTEM) makes
 * it answer `clean: false`, and the main thread replaces this worker with one started from the
 * pristine snapshot.
 */

const port = parentPort;
if (!port) throw new Error('graders/sql-schema/worker.ts must run in a worker thread');

/** Objects made by initdb have oids below this (PostgreSQL's FirstNormalObjectId). */
const FIRST_NORMAL_OID = 16384;

/** Catalogs whose contents change without anything being created (ANALYZE statistics). */
const unfingerprinted = new Set(['pg_statistic', 'pg_statistic_ext_data']);

function toDbError(error: unknown): DbError {
  if (typeof error === 'object' && error !== null && 'message' in error) {
    const e = error as Record<string, unknown>;
    const text = (key: string) => (typeof e[key] === 'string' && e[key] !== '' ? (e[key] as string) : undefined);
    const position = Number(e.position);
    return {
      code: text('code') ?? '',
      message: String(e.message),
      ...(text('detail') ? { detail: text('detail') } : {}),
      ...(text('hint') ? { hint: text('hint') } : {}),
      ...(Number.isInteger(position) && position > 0 ? { position } : {}),
      ...(text('where') ? { where: text('where') } : {}),
      ...(text('constraint') ? { constraint: text('constraint') } : {}),
      ...(text('table') ? { table: text('table') } : {}),
      ...(text('column') ? { column: text('column') } : {}),
    };
  }
  return { code: '', message: String(error) };
}

const started = performance.now();
const { snapshot } = (workerData ?? {}) as WorkerData;
const db = await PGlite.create(snapshot ? { loadDataDir: new Blob([snapshot]) } : {});

async function resetState(): Promise<void> {
  if (db.isInTransaction()) await db.exec('ROLLBACK');
  // DISCARD ALL also undoes SET ROLE / SET SESSION AUTHORIZATION and drops temporary tables.
  await db.exec('DISCARD ALL');
  // A submission's event trigger must not be able to veto the clean-up.
  await db.exec('SET event_triggers = off');
  await db.exec(`DO $reset$
DECLARE target text;
BEGIN
  FOR target IN
    SELECT nspname FROM pg_catalog.pg_namespace
    WHERE nspname = 'public'
       OR (oid >= ${FIRST_NORMAL_OID} AND nspname !~ '^pg_(toast_)?temp_')
  LOOP
    EXECUTE format('DROP SCHEMA %I CASCADE', target);
  END LOOP;
  PERFORM pg_catalog.lo_unlink(oid) FROM pg_catalog.pg_largeobject_metadata;
END
$reset$`);
  await db.exec('CREATE SCHEMA public; GRANT USAGE ON SCHEMA public TO PUBLIC');
  await db.exec('RESET ALL');
}

/**
 * Per catalog: how many rows, and how many were written since boot. Dropping what a submission
 * created brings both back; creating, editing or deleting anything else does not. Settings and
 * postgresql.auto.conf cover what ALTER SYSTEM and SET could leave behind.
 */
async function buildFingerprintQuery(sinceXid: string): Promise<string> {
  const { rows } = await db.query<{ name: string }>(
    `SELECT c.relname AS name FROM pg_catalog.pg_class c
     WHERE c.relnamespace = 'pg_catalog'::regnamespace AND c.relkind = 'r' ORDER BY c.relname`,
  );
  const parts = rows
    .filter(({ name }) => !unfingerprinted.has(name))
    .map(
      ({ name }) =>
        `SELECT '${name}' AS name, count(*) AS total, count(*) FILTER (WHERE xmin::text::bigint >= ${sinceXid}) AS fresh FROM pg_catalog.${name}`,
    );
  return `SELECT
    (SELECT string_agg(name || ':' || total || ':' || fresh, ',' ORDER BY name) FROM (${parts.join(' UNION ALL ')}) AS counts)
    || '|' || (SELECT md5(string_agg(name || '=' || coalesce(setting, ''), ',' ORDER BY name)) FROM pg_catalog.pg_settings)
    || '|' || md5(coalesce(pg_catalog.pg_read_file('postgresql.auto.conf', true), '')) AS fingerprint`;
}

async function fingerprint(query: string): Promise<string> {
  const { rows } = await db.query<{ fingerprint: string }>(query);
  return rows[0]?.fingerprint ?? '';
}

// The session's temporary schema is created on first use and never dropped; create it now, so a
// submission's temporary table does not look like a change to the catalog.
await db.exec('CREATE TEMPORARY TABLE pglite_warm_up (); DROP TABLE pglite_warm_up');
const { rows: xidRows } = await db.query<{ xid: string }>('SELECT pg_catalog.txid_current()::text AS xid');
const bootXid = xidRows[0]?.xid ?? '0';
await resetState();
const fingerprintQuery = await buildFingerprintQuery(bootXid);
const baseline = await fingerprint(fingerprintQuery);

let dump: ArrayBuffer | undefined;
if (!snapshot) dump = await (await db.dumpDataDir('none')).arrayBuffer();

async function handle(request: Request): Promise<Reply> {
  switch (request.op) {
    case 'run':
      try {
        await db.exec(request.sql);
        return { ok: true, inTransaction: db.isInTransaction() };
      } catch (error) {
        return { ok: false, error: toDbError(error) };
      }
    case 'runEach':
      for (const [index, sql] of request.statements.entries()) {
        try {
          await db.exec(sql);
        } catch (error) {
          return { ok: false, error: toDbError(error), failedIndex: index };
        }
      }
      return { ok: true, inTransaction: db.isInTransaction() };
    case 'query':
      try {
        const { rows } = await db.query<Record<string, unknown>>(request.sql, request.params);
        return { ok: true, rows };
      } catch (error) {
        return { ok: false, error: toDbError(error) };
      }
    case 'reset':
      try {
        await resetState();
        // This thread's external memory is PGlite's WebAssembly memory, which grows and never shrinks.
        const external = (getHeapStatistics() as { external_memory?: number }).external_memory;
        return {
          ok: true,
          clean: (await fingerprint(fingerprintQuery)) === baseline,
          ...(external === undefined ? {} : { memoryMb: Math.round(external / (1024 * 1024)) }),
        };
      } catch (error) {
        return { ok: false, error: toDbError(error) };
      }
  }
}

// One request at a time, in order: PGlite has a single session.
let queue: Promise<void> = Promise.resolve();
port.on('message', (message: ToWorker) => {
  queue = queue.then(async () => {
    let reply: Reply;
    try {
      reply = await handle(message.request);
    } catch (error) {
      reply = { ok: false, error: toDbError(error) };
    }
    port.postMessage({ type: 'reply', id: message.id, reply } satisfies FromWorker);
  });
});

const ready: FromWorker = { type: 'ready', bootMs: Math.round(performance.now() - started), ...(dump ? { snapshot: dump } : {}) };
port.postMessage(ready, dump ? [dump] : []);
