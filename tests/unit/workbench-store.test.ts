import { describe, expect, it, vi } from 'vitest';
import {
  type JournalStorage,
  WORKSPACE_SCHEMA_VERSION,
  WorkspaceStore,
  createAutosave,
  createMemoryBackend,
  fingerprintFiles,
  newestRecord,
  readJournal,
  upgradeRecord,
  writeJournal,
} from '../../src/progress/workspace-store.ts';

/** The saved-work store, driven through an in-memory backend (no IndexedDB in Node). */

function storeWith(now = () => 1_000) {
  const backend = createMemoryBackend();
  const setAside: string[] = [];
  let counter = 0;
  const store = new WorkspaceStore({ backend, now, newId: () => `attempt-${++counter}`, onQuarantine: (record) => setAside.push(`${record.store}/${record.key}: ${record.problem}`) });
  return { backend, store, setAside };
}

function memoryStorage(): JournalStorage & { items: Map<string, string> } {
  const items = new Map<string, string>();
  return { items, getItem: (key) => items.get(key) ?? null, setItem: (key, value) => void items.set(key, value), removeItem: (key) => void items.delete(key) };
}

describe('workspaces', () => {
  it('saves and restores the learner\'s files', async () => {
    const { store } = storeWith();
    await store.saveWorkspace('design-schema', { 'schema.sql': 'create table books ();' }, 'abc');
    const restored = await store.loadWorkspace('design-schema');
    expect(restored).toEqual({ schemaVersion: WORKSPACE_SCHEMA_VERSION, exerciseId: 'design-schema', files: { 'schema.sql': 'create table books ();' }, starterHash: 'abc', updatedAt: 1_000 });
    expect(await store.loadWorkspace('build-api')).toBeUndefined();
  });

  it('sets a corrupt record aside instead of crashing, and keeps it', async () => {
    const { store, backend, setAside } = storeWith();
    await backend.put('workspaces', 'design-schema', { schemaVersion: 1, exerciseId: 'design-schema', files: { 'schema.sql': 42 }, starterHash: 'x', updatedAt: 5 });
    expect(await store.loadWorkspace('design-schema')).toBeUndefined();
    expect(setAside).toHaveLength(1);
    expect(setAside[0]).toMatch(/^workspaces\/design-schema: files\.schema\.sql/);
    // Set aside, not destroyed: the damaged value is still there for a human to recover.
    const quarantine = await store.listQuarantine();
    expect(quarantine).toHaveLength(1);
    expect(quarantine[0]!.value).toMatchObject({ files: { 'schema.sql': 42 } });
    // The slot is free again, so the next save works and the next load is clean.
    expect(await backend.get('workspaces', 'design-schema')).toBeUndefined();
    await store.saveWorkspace('design-schema', { 'schema.sql': 'ok' }, 'x');
    expect((await store.loadWorkspace('design-schema'))?.files).toEqual({ 'schema.sql': 'ok' });
  });

  it.each([
    ['a string', 'not a record'],
    ['null', null],
    ['no version', { exerciseId: 'design-schema', files: {} }],
    ['a newer version', { schemaVersion: 99, exerciseId: 'design-schema', files: {}, starterHash: '', updatedAt: 1 }],
  ])('sets aside %s', async (_name, value) => {
    const { store, backend, setAside } = storeWith();
    await backend.put('workspaces', 'design-schema', value);
    expect(await store.loadWorkspace('design-schema')).toBeUndefined();
    expect(setAside).toHaveLength(1);
  });

  it('refuses a record filed under another exercise', async () => {
    const { store, backend, setAside } = storeWith();
    await backend.put('workspaces', 'build-api', { schemaVersion: 1, exerciseId: 'design-schema', files: {}, starterHash: '', updatedAt: 1 });
    expect(await store.loadWorkspace('build-api')).toBeUndefined();
    expect(setAside[0]).toContain('belongs to "design-schema"');
  });
});

describe('upgradeRecord', () => {
  const migrations = {
    1: (record: Record<string, unknown>) => ({ ...record, files: Object.fromEntries(record.files as [string, string][]) }),
    2: (record: Record<string, unknown>) => ({ ...record, starterHash: 'unknown' }),
  };

  it('runs each step from the stored version to the current one', () => {
    const result = upgradeRecord({ schemaVersion: 1, files: [['a.sql', 'x']] }, 3, migrations);
    expect(result).toEqual({ ok: true, value: { schemaVersion: 3, files: { 'a.sql': 'x' }, starterHash: 'unknown' } });
  });

  it('leaves a current record as it is', () => {
    const record = { schemaVersion: 3, files: {} };
    expect(upgradeRecord(record, 3, migrations)).toEqual({ ok: true, value: record });
  });

  it('says why a record cannot be upgraded', () => {
    expect(upgradeRecord({ schemaVersion: 0 }, 3, migrations)).toEqual({ ok: false, problem: 'no migration from schema 0' });
    expect(upgradeRecord({ schemaVersion: 1, files: 'oops' }, 3, migrations)).toMatchObject({ ok: false, problem: expect.stringMatching(/^migration from schema 1 failed/) });
    expect(upgradeRecord([], 3, migrations)).toEqual({ ok: false, problem: 'not an object' });
    expect(upgradeRecord({ schemaVersion: 4 }, 3, migrations)).toMatchObject({ ok: false, problem: expect.stringContaining('newer version') });
  });
});

describe('attempts', () => {
  it('lists attempts newest first, per exercise or all', async () => {
    let clock = 100;
    const { store } = storeWith(() => clock);
    await store.recordAttempt({ exerciseId: 'design-schema', at: 100, status: 'fail', score: 3, maxScore: 10, durationMs: 250 });
    await store.recordAttempt({ exerciseId: 'build-api', at: 200, status: 'error', reason: 'crash', score: 0, maxScore: 12, durationMs: 900 });
    await store.recordAttempt({ exerciseId: 'design-schema', at: 300, status: 'pass', score: 10, maxScore: 10, durationMs: 260, runner: 'local' });
    clock = 400;
    expect((await store.listAttempts('design-schema')).map((attempt) => attempt.at)).toEqual([300, 100]);
    expect((await store.listAttempts()).map((attempt) => attempt.exerciseId)).toEqual(['design-schema', 'build-api', 'design-schema']);
  });

  it('bestScores keeps the highest share of the points per exercise', async () => {
    const { store } = storeWith();
    await store.recordAttempt({ exerciseId: 'design-schema', at: 1, status: 'fail', score: 6, maxScore: 10, durationMs: 1 });
    await store.recordAttempt({ exerciseId: 'design-schema', at: 2, status: 'fail', score: 4, maxScore: 10, durationMs: 1 });
    await store.recordAttempt({ exerciseId: 'build-api', at: 3, status: 'error', reason: 'syntax', score: 0, maxScore: 12, durationMs: 1 });
    expect(await store.bestScores()).toEqual({
      'design-schema': { exerciseId: 'design-schema', score: 6, maxScore: 10, status: 'fail', at: 1, attempts: 2 },
      'build-api': { exerciseId: 'build-api', score: 0, maxScore: 12, status: 'error', at: 3, attempts: 1 },
    });
  });

  it('skips and sets aside an unreadable attempt, keeping the others', async () => {
    const { store, backend, setAside } = storeWith();
    await store.recordAttempt({ exerciseId: 'design-schema', at: 1, status: 'pass', score: 10, maxScore: 10, durationMs: 1 });
    await backend.put('attempts', 'broken', { schemaVersion: 1, id: 'broken', exerciseId: 'design-schema', at: 'yesterday' });
    expect(await store.listAttempts('design-schema')).toHaveLength(1);
    expect(setAside).toEqual([expect.stringMatching(/^attempts\/broken: /)]);
  });

  it('refuses to record an attempt that does not fit the schema', async () => {
    const { store } = storeWith();
    await expect(store.recordAttempt({ exerciseId: '', at: 1, status: 'pass', score: 1, maxScore: 1, durationMs: 1 })).rejects.toThrow(/could not be recorded/);
  });
});

describe('journal (the synchronous safety net)', () => {
  it('round-trips and picks the newer of journal and saved record', () => {
    const storage = memoryStorage();
    writeJournal(storage, 'design-schema', { 'schema.sql': 'newest' }, 'h', 50);
    const journal = readJournal(storage, 'design-schema');
    expect(journal?.files).toEqual({ 'schema.sql': 'newest' });
    const saved = { schemaVersion: 1 as const, exerciseId: 'design-schema', files: { 'schema.sql': 'older' }, starterHash: 'h', updatedAt: 40 };
    expect(newestRecord(saved, journal)?.files['schema.sql']).toBe('newest');
    expect(newestRecord({ ...saved, updatedAt: 60 }, journal)?.files['schema.sql']).toBe('older');
    expect(newestRecord(undefined, undefined)).toBeUndefined();
  });

  it('drops a damaged journal entry instead of failing', () => {
    const storage = memoryStorage();
    storage.setItem('bw:journal:design-schema', '{not json');
    expect(readJournal(storage, 'design-schema')).toBeUndefined();
    expect(storage.items.size).toBe(0);
    storage.setItem('bw:journal:design-schema', JSON.stringify({ schemaVersion: 1, exerciseId: 'build-api', files: {}, starterHash: '', updatedAt: 1 }));
    expect(readJournal(storage, 'design-schema')).toBeUndefined();
  });

  it('survives storage that refuses writes', () => {
    const refusing: JournalStorage = { getItem: () => null, setItem: () => { throw new Error('QuotaExceededError'); }, removeItem: () => {} };
    expect(writeJournal(refusing, 'design-schema', { a: 'b' }, 'h', 1)).toBe(false);
  });
});

describe('autosave', () => {
  it('debounces saves, journals every edit at once, and flushes on demand', async () => {
    vi.useFakeTimers();
    try {
      const { store } = storeWith();
      const storage = memoryStorage();
      const saved: string[] = [];
      const autosave = createAutosave({ store, exerciseId: 'design-schema', starterHash: 'h', journal: storage, delayMs: 300, onSaved: (record) => saved.push(record.files['schema.sql']!) });
      autosave.schedule({ 'schema.sql': 'a' });
      autosave.schedule({ 'schema.sql': 'ab' });
      // Journaled synchronously: a crash now would still keep "ab".
      expect(readJournal(storage, 'design-schema')?.files['schema.sql']).toBe('ab');
      expect(saved).toEqual([]);
      await vi.advanceTimersByTimeAsync(300);
      expect(saved).toEqual(['ab']);
      expect(readJournal(storage, 'design-schema')).toBeUndefined();

      autosave.schedule({ 'schema.sql': 'abc' });
      await autosave.flush();
      expect(saved).toEqual(['ab', 'abc']);
      expect((await store.loadWorkspace('design-schema'))?.files['schema.sql']).toBe('abc');
    } finally {
      vi.useRealTimers();
    }
  });

  it('reports a failed save instead of throwing into the page', async () => {
    const backend = createMemoryBackend();
    backend.put = async () => { throw new Error('disk full'); };
    const errors: unknown[] = [];
    const autosave = createAutosave({ store: new WorkspaceStore({ backend }), exerciseId: 'x', starterHash: 'h', onError: (error) => errors.push(error) });
    autosave.schedule({ a: 'b' });
    await autosave.flush();
    expect(String(errors[0])).toContain('disk full');
  });
});

describe('fingerprintFiles', () => {
  it('depends on paths and texts, not on key order', () => {
    expect(fingerprintFiles({ a: '1', b: '2' })).toBe(fingerprintFiles({ b: '2', a: '1' }));
    expect(fingerprintFiles({ a: '1', b: '2' })).not.toBe(fingerprintFiles({ a: '12', b: '' }));
    expect(fingerprintFiles({})).toMatch(/^[0-9a-f]{8}$/);
  });
});
