import { describe, expect, it } from 'vitest';
import {
  EXPORT_KIND,
  PROGRESS_KEY,
  ProgressFormatError,
  emptyProgress,
  exportProgress,
  importProgress,
  loadProgress,
  saveProgress,
  updateProgress,
} from '../../src/progress/progress-store.ts';
import { recordAnswer } from '../../src/quiz/engine.ts';

class MemoryStorage {
  readonly items = new Map<string, string>();
  getItem(key: string) {
    return this.items.get(key) ?? null;
  }
  setItem(key: string, value: string) {
    this.items.set(key, value);
  }
  removeItem(key: string) {
    this.items.delete(key);
  }
}

const now = new Date('2026-11-28T10:00:00Z');

describe('progress store', () => {
  it('starts empty and keeps what is saved', () => {
    const storage = new MemoryStorage();
    expect(loadProgress(storage).progress).toEqual(emptyProgress());
    updateProgress(storage, (progress) => {
      progress.lessonsRead['/lessons/design/api-design/'] = now.toISOString();
      progress.cards['design/created'] = recordAnswer(undefined, true, now);
    });
    const { progress } = loadProgress(storage);
    expect(Object.keys(progress.lessonsRead)).toEqual(['/lessons/design/api-design/']);
    expect(progress.cards['design/created']?.reps).toBe(1);
  });

  it('sets corrupt data aside instead of crashing, and never deletes it', () => {
    const storage = new MemoryStorage();
    storage.setItem(PROGRESS_KEY, '{"version":1,"lessonsRead":');
    const { progress, setAside } = loadProgress(storage, now);
    expect(progress).toEqual(emptyProgress());
    expect(setAside?.reason).toMatch(/not valid JSON/);
    expect(storage.getItem(setAside!.key)).toBe('{"version":1,"lessonsRead":');
    expect(storage.getItem(PROGRESS_KEY)).toBeNull();
  });

  it('sets aside data of the right version but the wrong shape, saying which field', () => {
    const storage = new MemoryStorage();
    storage.setItem(PROGRESS_KEY, JSON.stringify({ ...emptyProgress(), lessonsRead: { '/x/': 'yesterday' } }));
    const { setAside } = loadProgress(storage, now);
    expect(setAside?.reason).toMatch(/damaged: lessonsRead\.\/x\//);
  });

  it('refuses to save progress that breaks the schema', () => {
    const storage = new MemoryStorage();
    const broken = { ...emptyProgress(), mockInterviews: [{ at: 'now' }] } as never;
    expect(() => saveProgress(storage, broken)).toThrow();
    expect(storage.getItem(PROGRESS_KEY)).toBeNull();
  });
});

describe('export and import', () => {
  const progress = { ...emptyProgress(), lessonsRead: { '/lessons/testing/mutation-testing/': now.toISOString() } };

  it('round-trips an export', () => {
    const file = exportProgress(progress, now);
    expect(JSON.parse(file).kind).toBe(EXPORT_KIND);
    expect(importProgress(file)).toEqual(progress);
  });

  it.each([
    ['not JSON', 'hello', /not JSON/],
    ['foreign JSON', JSON.stringify({ name: 'my-app', version: '1.0.0' }), /not a Backend Workflow progress export/],
    ['a newer format', JSON.stringify({ kind: EXPORT_KIND, progress: { ...progress, version: 9 } }), /newer version of the course \(format 9/],
    ['an unversioned progress', JSON.stringify({ kind: EXPORT_KIND, progress: { lessonsRead: {} } }), /has no version/],
    ['a damaged progress', JSON.stringify({ kind: EXPORT_KIND, progress: { ...progress, cards: { x: { due: 'soon' } } } }), /damaged: cards\.x/],
  ])('refuses %s with a clear message', (_, text, message) => {
    expect(() => importProgress(text)).toThrow(ProgressFormatError);
    expect(() => importProgress(text)).toThrow(message);
  });
});
