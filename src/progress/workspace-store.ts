import * as z from 'zod/mini';

/**
 * Saved work and attempts, kept in the learner's browser (IndexedDB).
 *
 * Every record carries a `schemaVersion` and is parsed with a zod schema when read, so a record
 * written by another version of the site, or damaged by hand, is never trusted blindly: it is
 * upgraded when a migration exists, and otherwise set aside in the `quarantine` store (kept, not
 * deleted) while the page carries on from the starter. A learner's work is never lost silently.
 *
 * The storage is injected (`RecordBackend`), so the parsing, upgrading and setting-aside logic is
 * tested without a browser. The progress dashboard reads `listAttempts()` and `bestScores()`.
 */

export const WORKSPACE_SCHEMA_VERSION = 1;
export const ATTEMPT_SCHEMA_VERSION = 1;

/** path -> text, the learner's editable files. */
const fileMapSchema = z.record(z.string(), z.string());

export const workspaceRecordSchema = z.object({
  schemaVersion: z.literal(WORKSPACE_SCHEMA_VERSION),
  exerciseId: z.string().check(z.minLength(1)),
  files: fileMapSchema,
  /** Fingerprint of the starter the work began from, so the page can tell when the exercise changed. */
  starterHash: z.string(),
  /** Milliseconds since the epoch. */
  updatedAt: z.number().check(z.nonnegative()),
});
export type WorkspaceRecord = z.infer<typeof workspaceRecordSchema>;

export const attemptRecordSchema = z.object({
  schemaVersion: z.literal(ATTEMPT_SCHEMA_VERSION),
  id: z.string().check(z.minLength(1)),
  exerciseId: z.string().check(z.minLength(1)),
  /** When the check finished, milliseconds since the epoch. */
  at: z.number().check(z.nonnegative()),
  status: z.enum(['pass', 'fail', 'error']),
  reason: z.optional(z.string()),
  score: z.number().check(z.nonnegative()),
  maxScore: z.number().check(z.nonnegative()),
  durationMs: z.number().check(z.nonnegative()),
  runner: z.optional(z.enum(['local', 'webcontainer'])),
});
export type AttemptRecord = z.infer<typeof attemptRecordSchema>;
export type NewAttempt = Omit<AttemptRecord, 'schemaVersion' | 'id'>;

export type StoreName = 'workspaces' | 'attempts' | 'quarantine';

/** Where records live. IndexedDB in the browser; a Map in tests and when IndexedDB is refused. */
export interface RecordBackend {
  /** False when records vanish with the page (no IndexedDB): the page tells the learner. */
  readonly persistent: boolean;
  get(store: StoreName, key: string): Promise<unknown>;
  put(store: StoreName, key: string, value: unknown): Promise<void>;
  delete(store: StoreName, key: string): Promise<void>;
  entries(store: StoreName): Promise<[string, unknown][]>;
}

/** A record that could not be read, kept aside so nothing is destroyed. */
export interface QuarantinedRecord {
  store: StoreName;
  key: string;
  value: unknown;
  problem: string;
  at: number;
}

/**
 * Upgrades `raw` step by step (`migrations[n]` turns version n into n + 1) to `current`.
 * Returns the record as the current version would store it, or a problem in words.
 */
export function upgradeRecord(
  raw: unknown,
  current: number,
  migrations: Readonly<Record<number, (record: Record<string, unknown>) => Record<string, unknown>>>,
): { ok: true; value: unknown } | { ok: false; problem: string } {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return { ok: false, problem: 'not an object' };
  let record = raw as Record<string, unknown>;
  let version = record.schemaVersion;
  if (typeof version !== 'number' || !Number.isInteger(version)) return { ok: false, problem: 'no schemaVersion' };
  if (version > current) return { ok: false, problem: `written by a newer version of the course (schema ${version}, this page reads ${current})` };
  while (version < current) {
    const migrate = migrations[version];
    if (!migrate) return { ok: false, problem: `no migration from schema ${version}` };
    try {
      record = migrate(record);
    } catch (error) {
      return { ok: false, problem: `migration from schema ${version} failed: ${error instanceof Error ? error.message : String(error)}` };
    }
    version += 1;
    record = { ...record, schemaVersion: version };
  }
  return { ok: true, value: record };
}

/** Schema changes add a step here (version n -> n + 1); tests drive `upgradeRecord` with their own. */
const workspaceMigrations: Record<number, (record: Record<string, unknown>) => Record<string, unknown>> = {};
const attemptMigrations: Record<number, (record: Record<string, unknown>) => Record<string, unknown>> = {};

function describeIssues(error: z.core.$ZodError): string {
  return error.issues.map((issue) => `${issue.path.join('.') || '(record)'}: ${issue.message}`).join('; ');
}

/** A short, stable fingerprint of a set of files (FNV-1a over sorted paths and texts). */
export function fingerprintFiles(files: Readonly<Record<string, string>>): string {
  let hash = 0x811c9dc5;
  const feed = (text: string) => {
    for (let index = 0; index < text.length; index++) {
      hash ^= text.charCodeAt(index);
      hash = Math.imul(hash, 0x01000193);
    }
  };
  for (const path of Object.keys(files).sort()) {
    feed(path);
    feed('\0');
    feed(files[path]!);
    feed('\0');
  }
  return (hash >>> 0).toString(16).padStart(8, '0');
}

export interface BestScore {
  exerciseId: string;
  score: number;
  maxScore: number;
  status: AttemptRecord['status'];
  /** When the best attempt finished. */
  at: number;
  attempts: number;
}

export interface WorkspaceStoreOptions {
  backend: RecordBackend;
  /** Called when a record was set aside, so the page can say so. */
  onQuarantine?: (record: QuarantinedRecord) => void;
  now?: () => number;
  newId?: () => string;
}

export class WorkspaceStore {
  readonly #backend: RecordBackend;
  readonly #onQuarantine: ((record: QuarantinedRecord) => void) | undefined;
  readonly #now: () => number;
  readonly #newId: () => string;

  constructor(options: WorkspaceStoreOptions) {
    this.#backend = options.backend;
    this.#onQuarantine = options.onQuarantine;
    this.#now = options.now ?? Date.now;
    this.#newId = options.newId ?? (() => `${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 10)}`);
  }

  get persistent(): boolean {
    return this.#backend.persistent;
  }

  /** The saved work for an exercise, or undefined when there is none (or it could not be read). */
  async loadWorkspace(exerciseId: string): Promise<WorkspaceRecord | undefined> {
    const raw = await this.#backend.get('workspaces', exerciseId);
    if (raw === undefined) return undefined;
    const record = await this.#read('workspaces', exerciseId, raw, workspaceRecordSchema, WORKSPACE_SCHEMA_VERSION, workspaceMigrations);
    if (record && record.exerciseId !== exerciseId) {
      await this.#setAside('workspaces', exerciseId, raw, `stored under "${exerciseId}" but belongs to "${record.exerciseId}"`);
      return undefined;
    }
    return record;
  }

  async saveWorkspace(exerciseId: string, files: Readonly<Record<string, string>>, starterHash: string): Promise<WorkspaceRecord> {
    const record: WorkspaceRecord = {
      schemaVersion: WORKSPACE_SCHEMA_VERSION,
      exerciseId,
      files: { ...files },
      starterHash,
      updatedAt: this.#now(),
    };
    await this.#backend.put('workspaces', exerciseId, record);
    return record;
  }

  async deleteWorkspace(exerciseId: string): Promise<void> {
    await this.#backend.delete('workspaces', exerciseId);
  }

  async recordAttempt(attempt: NewAttempt): Promise<AttemptRecord> {
    const record = parseOwnRecord(attemptRecordSchema, { ...attempt, schemaVersion: ATTEMPT_SCHEMA_VERSION, id: this.#newId() });
    await this.#backend.put('attempts', record.id, record);
    return record;
  }

  /** Attempts, newest first; all exercises unless one is named. Unreadable ones are set aside. */
  async listAttempts(exerciseId?: string): Promise<AttemptRecord[]> {
    const attempts: AttemptRecord[] = [];
    for (const [key, raw] of await this.#backend.entries('attempts')) {
      const record = await this.#read('attempts', key, raw, attemptRecordSchema, ATTEMPT_SCHEMA_VERSION, attemptMigrations);
      if (record && (exerciseId === undefined || record.exerciseId === exerciseId)) attempts.push(record);
    }
    return attempts.sort((a, b) => b.at - a.at);
  }

  /** The best attempt per exercise: highest share of the points, then the earliest to reach it. */
  async bestScores(): Promise<Record<string, BestScore>> {
    const best: Record<string, BestScore> = {};
    const share = (attempt: { score: number; maxScore: number }) => (attempt.maxScore > 0 ? attempt.score / attempt.maxScore : 0);
    const attempts = await this.listAttempts();
    for (const attempt of [...attempts].reverse()) {
      const current = best[attempt.exerciseId];
      if (!current) {
        best[attempt.exerciseId] = { exerciseId: attempt.exerciseId, score: attempt.score, maxScore: attempt.maxScore, status: attempt.status, at: attempt.at, attempts: 1 };
        continue;
      }
      current.attempts += 1;
      const better = share(attempt) > share(current) || (share(attempt) === share(current) && attempt.status === 'pass' && current.status !== 'pass');
      if (better) Object.assign(current, { score: attempt.score, maxScore: attempt.maxScore, status: attempt.status, at: attempt.at });
    }
    return best;
  }

  /** Records that were set aside because they could not be read. */
  async listQuarantine(): Promise<QuarantinedRecord[]> {
    return (await this.#backend.entries('quarantine')).map(([, value]) => value as QuarantinedRecord);
  }

  async #read<T>(
    store: StoreName,
    key: string,
    raw: unknown,
    schema: z.ZodMiniType<T>,
    current: number,
    migrations: Record<number, (record: Record<string, unknown>) => Record<string, unknown>>,
  ): Promise<T | undefined> {
    const upgraded = upgradeRecord(raw, current, migrations);
    if (!upgraded.ok) {
      await this.#setAside(store, key, raw, upgraded.problem);
      return undefined;
    }
    const parsed = schema.safeParse(upgraded.value);
    if (!parsed.success) {
      await this.#setAside(store, key, raw, describeIssues(parsed.error));
      return undefined;
    }
    if (upgraded.value !== raw) await this.#backend.put(store, key, parsed.data);
    return parsed.data;
  }

  async #setAside(store: StoreName, key: string, value: unknown, problem: string): Promise<void> {
    const record: QuarantinedRecord = { store, key, value, problem, at: this.#now() };
    await this.#backend.put('quarantine', `${store}/${key}/${record.at}`, record);
    await this.#backend.delete(store, key);
    this.#onQuarantine?.(record);
  }
}

/** Parses a record this module builds itself; a failure here is a bug in the page, said plainly. */
function parseOwnRecord<T>(schema: z.ZodMiniType<T>, value: unknown): T {
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new Error(`An attempt could not be recorded: ${describeIssues(parsed.error)}`);
  return parsed.data;
}

/** Records in a Map: for tests, and for browsers that refuse IndexedDB (the work then lasts only as long as the page). */
export function createMemoryBackend(): RecordBackend & { dump(): Record<StoreName, Map<string, unknown>> } {
  const stores: Record<StoreName, Map<string, unknown>> = { workspaces: new Map(), attempts: new Map(), quarantine: new Map() };
  // Values are copied in and out, as IndexedDB's structured clone does, so tests cannot share references by accident.
  const copy = (value: unknown) => (value === undefined ? undefined : structuredClone(value));
  return {
    persistent: false,
    get: async (store, key) => copy(stores[store].get(key)),
    put: async (store, key, value) => void stores[store].set(key, copy(value)),
    delete: async (store, key) => void stores[store].delete(key),
    entries: async (store) => [...stores[store].entries()].map(([key, value]) => [key, copy(value)] as [string, unknown]),
    dump: () => stores,
  };
}

const DATABASE_NAME = 'backend-workflow';
const DATABASE_VERSION = 1;
const storeNames: StoreName[] = ['workspaces', 'attempts', 'quarantine'];

function requestResult<T>(request: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error('IndexedDB request failed'));
  });
}

/** The browser's IndexedDB, one object store per record kind. Rejects when the browser refuses it. */
export async function openIndexedDbBackend(factory: IDBFactory = indexedDB): Promise<RecordBackend> {
  const request = factory.open(DATABASE_NAME, DATABASE_VERSION);
  request.onupgradeneeded = () => {
    for (const name of storeNames) {
      if (!request.result.objectStoreNames.contains(name)) request.result.createObjectStore(name);
    }
  };
  const database = await new Promise<IDBDatabase>((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error('IndexedDB could not be opened'));
    request.onblocked = () => reject(new Error('IndexedDB is blocked by another tab of this course; close it and reload'));
  });
  // Another tab upgrading the database must not be blocked by this one.
  database.onversionchange = () => database.close();
  const run = async <T>(store: StoreName, mode: IDBTransactionMode, work: (objectStore: IDBObjectStore) => IDBRequest<T>): Promise<T> => {
    const transaction = database.transaction(store, mode, { durability: 'strict' });
    const result = requestResult(work(transaction.objectStore(store)));
    await new Promise<void>((resolve, reject) => {
      transaction.oncomplete = () => resolve();
      transaction.onerror = () => reject(transaction.error ?? new Error('IndexedDB transaction failed'));
      transaction.onabort = () => reject(transaction.error ?? new Error('IndexedDB transaction was aborted'));
    });
    return result;
  };
  return {
    persistent: true,
    get: (store, key) => run(store, 'readonly', (objectStore) => objectStore.get(key)),
    put: async (store, key, value) => void (await run(store, 'readwrite', (objectStore) => objectStore.put(value, key))),
    delete: async (store, key) => void (await run(store, 'readwrite', (objectStore) => objectStore.delete(key))),
    entries: async (store) => {
      const [keys, values] = await Promise.all([
        run(store, 'readonly', (objectStore) => objectStore.getAllKeys()),
        run(store, 'readonly', (objectStore) => objectStore.getAll()),
      ]);
      return keys.map((key, index) => [String(key), values[index]] as [string, unknown]);
    },
  };
}

let defaultStore: Promise<WorkspaceStore> | undefined;

/** The page's store: IndexedDB when the browser allows it, otherwise memory (and `persistent` is false). */
export function openWorkspaceStore(onQuarantine?: (record: QuarantinedRecord) => void): Promise<WorkspaceStore> {
  defaultStore ??= openIndexedDbBackend().then(
    (backend) => new WorkspaceStore({ backend, onQuarantine }),
    () => new WorkspaceStore({ backend: createMemoryBackend(), onQuarantine }),
  );
  return defaultStore;
}

/** Every recorded attempt (or one exercise's), newest first. For the progress dashboard. */
export async function listAttempts(exerciseId?: string): Promise<AttemptRecord[]> {
  return (await openWorkspaceStore()).listAttempts(exerciseId);
}

/** The best attempt per exercise id. For the progress dashboard. */
export async function bestScores(): Promise<Record<string, BestScore>> {
  return (await openWorkspaceStore()).bestScores();
}

/**
 * A synchronous safety net for the moments IndexedDB cannot finish (the tab is closing, the
 * browser crashes between an edit and the debounced save): the latest files, written to
 * localStorage in the same task as the edit or `pagehide`, and folded back in on the next load.
 */
export interface JournalStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

const journalKey = (exerciseId: string) => `bw:journal:${exerciseId}`;

export function writeJournal(storage: JournalStorage, exerciseId: string, files: Readonly<Record<string, string>>, starterHash: string, at: number): boolean {
  const record: WorkspaceRecord = { schemaVersion: WORKSPACE_SCHEMA_VERSION, exerciseId, files: { ...files }, starterHash, updatedAt: at };
  try {
    storage.setItem(journalKey(exerciseId), JSON.stringify(record));
    return true;
  } catch {
    // Full or refused: IndexedDB still has the last debounced save.
    return false;
  }
}

/** The journal entry for an exercise when it is readable; a damaged one is dropped (IndexedDB has the older copy). */
export function readJournal(storage: JournalStorage, exerciseId: string): WorkspaceRecord | undefined {
  let text: string | null;
  try {
    text = storage.getItem(journalKey(exerciseId));
  } catch {
    return undefined;
  }
  if (text === null) return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    clearJournal(storage, exerciseId);
    return undefined;
  }
  const upgraded = upgradeRecord(raw, WORKSPACE_SCHEMA_VERSION, workspaceMigrations);
  const parsed = upgraded.ok ? workspaceRecordSchema.safeParse(upgraded.value) : undefined;
  if (!parsed?.success || parsed.data.exerciseId !== exerciseId) {
    clearJournal(storage, exerciseId);
    return undefined;
  }
  return parsed.data;
}

export function clearJournal(storage: JournalStorage, exerciseId: string): void {
  try {
    storage.removeItem(journalKey(exerciseId));
  } catch {
    // nothing to clear
  }
}

/** Which copy of the work to restore: the newer of the saved record and the journal. */
export function newestRecord(saved: WorkspaceRecord | undefined, journal: WorkspaceRecord | undefined): WorkspaceRecord | undefined {
  if (!saved) return journal;
  if (!journal) return saved;
  return journal.updatedAt > saved.updatedAt ? journal : saved;
}

/**
 * Saves the workspace a moment after the last edit (debounced), and at once on `flush()`
 * (pagehide, a check). The journal is written synchronously on every schedule, so even a crash
 * before the debounce fires keeps the edit.
 */
export function createAutosave(options: {
  store: WorkspaceStore;
  exerciseId: string;
  starterHash: string;
  journal?: JournalStorage;
  delayMs?: number;
  onSaved?: (record: WorkspaceRecord) => void;
  onError?: (error: unknown) => void;
  now?: () => number;
}): { schedule(files: Readonly<Record<string, string>>): void; flush(): Promise<void>; cancel(): void } {
  const { store, exerciseId, starterHash, journal, delayMs = 400, onSaved, onError, now = Date.now } = options;
  let pending: Record<string, string> | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let chain: Promise<void> = Promise.resolve();
  const save = () => {
    if (timer !== undefined) clearTimeout(timer);
    timer = undefined;
    const files = pending;
    pending = undefined;
    if (!files) return chain;
    chain = chain
      .then(() => store.saveWorkspace(exerciseId, files, starterHash))
      .then((record) => {
        // Only a journal that is not newer than what was just saved can go.
        if (journal && !pending) clearJournal(journal, exerciseId);
        onSaved?.(record);
      })
      .catch((error: unknown) => onError?.(error));
    return chain;
  };
  return {
    schedule(files) {
      pending = { ...files };
      if (journal) writeJournal(journal, exerciseId, pending, starterHash, now());
      if (timer !== undefined) clearTimeout(timer);
      timer = setTimeout(save, delayMs);
    },
    flush: () => save(),
    cancel() {
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      pending = undefined;
    },
  };
}
