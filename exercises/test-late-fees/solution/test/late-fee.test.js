import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { lateFeeCents } from '../src/late-fee.js';

const SECOND = 1000;
const HOUR = 60 * 60 * SECOND;
const DAY = 24 * HOUR;
const dueAt = new Date('2026-03-01T12:00:00Z');

/** The date `ms` milliseconds after the book was due (negative: before). */
function returnedAfter(ms) {
  return new Date(dueAt.getTime() + ms);
}

describe('no fee: returned on time or inside the grace period', () => {
  test('returned two days early', () => {
    assert.equal(lateFeeCents(dueAt, returnedAfter(-2 * DAY)), 0);
  });

  test('returned exactly when due', () => {
    assert.equal(lateFeeCents(dueAt, dueAt), 0);
  });

  test('returned 12 hours late, inside the one-day grace period', () => {
    assert.equal(lateFeeCents(dueAt, returnedAfter(12 * HOUR)), 0);
  });

  test('returned exactly at the end of the grace period', () => {
    assert.equal(lateFeeCents(dueAt, returnedAfter(DAY)), 0);
  });

  test('a longer grace period is honoured', () => {
    assert.equal(lateFeeCents(dueAt, returnedAfter(2.5 * DAY), { graceDays: 3 }), 0);
  });
});

describe('fee: every started day after the due date', () => {
  test('one second past the grace period: two started days', () => {
    assert.equal(lateFeeCents(dueAt, returnedAfter(DAY + SECOND)), 50);
  });

  test('exactly three days late: three days', () => {
    assert.equal(lateFeeCents(dueAt, returnedAfter(3 * DAY)), 75);
  });

  test('3.5 days late: four started days', () => {
    assert.equal(lateFeeCents(dueAt, returnedAfter(3.5 * DAY)), 100);
  });

  test('without a grace period, one second late costs a day', () => {
    assert.equal(lateFeeCents(dueAt, returnedAfter(SECOND), { graceDays: 0 }), 25);
  });

  test('its own daily rate', () => {
    assert.equal(lateFeeCents(dueAt, returnedAfter(3.5 * DAY), { dailyRateCents: 40 }), 160);
  });

  test('one option given, the others keep their defaults', () => {
    assert.equal(lateFeeCents(dueAt, returnedAfter(3.5 * DAY), { graceDays: 2 }), 100);
  });
});

describe('cap: the fee never exceeds capCents', () => {
  test('39 days late is just under the cap', () => {
    assert.equal(lateFeeCents(dueAt, returnedAfter(39 * DAY)), 975);
  });

  test('60 days late costs the cap', () => {
    assert.equal(lateFeeCents(dueAt, returnedAfter(60 * DAY)), 1000);
  });

  test('its own cap', () => {
    assert.equal(lateFeeCents(dueAt, returnedAfter(3.5 * DAY), { capCents: 60 }), 60);
  });
});

describe('invalid input', () => {
  test('an invalid Date is a TypeError', () => {
    assert.throws(() => lateFeeCents(new Date('not a date'), returnedAfter(DAY)), TypeError);
    assert.throws(() => lateFeeCents(dueAt, new Date(Number.NaN)), TypeError);
  });

  test('something that is not a Date is a TypeError', () => {
    assert.throws(() => lateFeeCents('2026-03-01T12:00:00Z', returnedAfter(DAY)), TypeError);
    assert.throws(() => lateFeeCents(dueAt, dueAt.getTime() + 3 * DAY), TypeError);
    assert.throws(() => lateFeeCents(dueAt), TypeError);
  });

  test('a negative option is a RangeError', () => {
    assert.throws(() => lateFeeCents(dueAt, returnedAfter(3 * DAY), { dailyRateCents: -25 }), RangeError);
    assert.throws(() => lateFeeCents(dueAt, returnedAfter(3 * DAY), { capCents: -1 }), RangeError);
    assert.throws(() => lateFeeCents(dueAt, returnedAfter(3 * DAY), { graceDays: -1 }), RangeError);
  });

  test('an option that is not a whole number is a RangeError', () => {
    assert.throws(() => lateFeeCents(dueAt, returnedAfter(3 * DAY), { dailyRateCents: 2.5 }), RangeError);
    assert.throws(() => lateFeeCents(dueAt, returnedAfter(3 * DAY), { capCents: Number.NaN }), RangeError);
    assert.throws(() => lateFeeCents(dueAt, returnedAfter(3 * DAY), { graceDays: '1' }), RangeError);
  });
});
