import { PROGRESS_KEY, PROGRESS_VERSION } from './keys.ts';

/**
 * Runs on lesson and exercise pages: remembers the page for "continue where you left off" and
 * marks a lesson read once its end comes into view. Deliberately tiny (no schema library): it
 * only touches two fields, and leaves data it does not understand alone for the dashboard to
 * set aside.
 */

type Stored = { version: number; lessonsRead: Record<string, string>; cards: object; mockInterviews: unknown[]; lastVisited?: { url: string; title: string; at: string } };

function change(update: (progress: Stored) => void): void {
  try {
    const text = localStorage.getItem(PROGRESS_KEY);
    const progress: Stored = text ? JSON.parse(text) : { version: PROGRESS_VERSION, lessonsRead: {}, cards: {}, mockInterviews: [] };
    if (progress.version !== PROGRESS_VERSION || typeof progress.lessonsRead !== 'object' || progress.lessonsRead === null) return;
    update(progress);
    localStorage.setItem(PROGRESS_KEY, JSON.stringify(progress));
  } catch {
    // Unreadable data or no storage (private mode): progress is a convenience, never an error.
  }
}

export function trackVisit(kind: 'lesson' | 'exercise'): void {
  const url = location.pathname;
  const title = document.querySelector('h1')?.textContent?.trim() ?? document.title;
  change((progress) => {
    progress.lastVisited = { url, title, at: new Date().toISOString() };
  });
  if (kind !== 'lesson') return;
  const end = document.querySelector('[data-lesson-end]');
  if (!end || !('IntersectionObserver' in window)) return;
  const observer = new IntersectionObserver((entries) => {
    if (!entries.some((entry) => entry.isIntersecting)) return;
    observer.disconnect();
    change((progress) => {
      progress.lessonsRead[url] ??= new Date().toISOString();
    });
  });
  observer.observe(end);
}
