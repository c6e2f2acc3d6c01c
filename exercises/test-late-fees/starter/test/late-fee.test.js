import { test } from 'node:test';
import assert from 'node:assert/strict';
import { lateFeeCents } from '../src/late-fee.js';

const DAY = 24 * 60 * 60 * 1000;
const dueAt = new Date('2026-03-01T12:00:00Z');

/** The date `ms` milliseconds after the book was due (negative: before). */
function returnedAfter(ms) {
  return new Date(dueAt.getTime() + ms);
}

test('a book returned 3.5 days late costs 4 started days', () => {
  assert.equal(lateFeeCents(dueAt, returnedAfter(3.5 * DAY)), 100);
});

// Your tests here: think in equivalence classes, then test each boundary between them.
