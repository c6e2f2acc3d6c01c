// Late fees for Shelf, the library lending service.
// Read-only: write your tests in test/late-fee.test.js.

const DAY_MS = 24 * 60 * 60 * 1000;

/**
 * The late fee, in integer cents, for a book due at `dueAt` and returned at `returnedAt`.
 *
 * - `dueAt` and `returnedAt` must be valid Date objects, otherwise it throws a TypeError.
 * - `dailyRateCents`, `capCents` and `graceDays` must be non-negative integers, otherwise it
 *   throws a RangeError.
 * - Returned at or before `dueAt` plus the grace period: no fee.
 * - Otherwise every started day after `dueAt` costs `dailyRateCents`, and the fee never
 *   exceeds `capCents`.
 */
export function lateFeeCents(dueAt, returnedAt, { dailyRateCents = 25, capCents = 1000, graceDays = 1 } = {}) {
  requireDate(dueAt, 'dueAt');
  requireDate(returnedAt, 'returnedAt');
  requireCount(dailyRateCents, 'dailyRateCents');
  requireCount(capCents, 'capCents');
  requireCount(graceDays, 'graceDays');

  const lateMs = returnedAt.getTime() - dueAt.getTime();
  if (lateMs <= graceDays * DAY_MS) return 0;

  const startedDays = Math.ceil(lateMs / DAY_MS);
  return Math.min(startedDays * dailyRateCents, capCents);
}

function requireDate(value, name) {
  if (!(value instanceof Date) || Number.isNaN(value.getTime())) {
    throw new TypeError(`${name} must be a valid Date, got ${String(value)}`);
  }
}

function requireCount(value, name) {
  if (!Number.isInteger(value) || value < 0) {
    throw new RangeError(`${name} must be a non-negative integer, got ${String(value)}`);
  }
}
