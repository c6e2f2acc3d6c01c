import { mutant, testSuiteGrader } from '../../graders/test-suite/index.ts';

/**
 * The rubric of "Test the late fees": the learner's tests must pass on the correct
 * `src/late-fee.js`, then each bug below is a check, caught when any test fails (or hangs) on it.
 * Every bug breaks one rule of the specification in task.mdx, so a suite that pins the whole
 * specification down catches them all; none changes only an error message or anything the
 * specification leaves open.
 */

const boundaryHint =
  'Bugs gather at boundaries. For each limit the specification names, test just inside it, exactly on it and just past it.';
const optionHint = 'Each option is an input of its own: a test that always uses the defaults cannot tell whether an option is read at all.';
const errorHint = 'Invalid input is an equivalence class too: the specification says what is thrown, so assert the kind of error, not just that something fails.';

export default testSuiteGrader({
  module: 'src/late-fee.js',
  tests: ['test/late-fee.test.js'],
  baseline: { title: 'Your tests pass on the correct code', points: 1 },
  mutants: [
    mutant('grace-ignored', {
      title: 'a book returned late but inside the grace period is charged',
      behaviour: 'no test returns a book a little late, inside the grace period, and expects no fee',
      hint: 'The grace period is an equivalence class of its own, between "on time" and "late". Test a return in the middle of it.',
      patch: { find: 'if (lateMs <= graceDays * DAY_MS) return 0;', replace: 'if (lateMs <= 0) return 0;' },
    }),
    mutant('grace-boundary-exclusive', {
      title: 'a book returned exactly at the end of the grace period is charged',
      behaviour: 'no test returns a book exactly at the end of the grace period',
      hint: boundaryHint,
      patch: { find: 'if (lateMs <= graceDays * DAY_MS) return 0;', replace: 'if (lateMs < graceDays * DAY_MS) return 0;' },
    }),
    mutant('grace-option-ignored', {
      title: 'the graceDays option is ignored (always one day)',
      behaviour: 'no test sets its own graceDays and checks that the fee follows it',
      hint: optionHint,
      patch: { find: 'if (lateMs <= graceDays * DAY_MS) return 0;', replace: 'if (lateMs <= DAY_MS) return 0;' },
    }),
    mutant('early-return-charged', {
      title: 'a book returned before it was due gets a negative fee',
      behaviour: 'no test returns a book days before it was due and expects no fee',
      hint: 'Returning early is a class of inputs too, easy to forget because it looks harmless. What must the fee be?',
      patch: { find: 'if (lateMs <= graceDays * DAY_MS) return 0;', replace: 'if (lateMs > 0 && lateMs <= graceDays * DAY_MS) return 0;' },
    }),
    mutant('floor-instead-of-ceiling', {
      title: 'a started day is not charged until it is over',
      behaviour: 'no test returns a book part of a day late and expects the started day to be charged in full',
      hint: boundaryHint,
      patch: { find: 'Math.ceil(lateMs / DAY_MS)', replace: 'Math.floor(lateMs / DAY_MS)' },
    }),
    mutant('grace-days-free', {
      title: 'the days of the grace period are not charged once it is over',
      behaviour: 'no test checks the exact fee of a book returned after its grace period',
      hint: 'Read the specification again: which days are charged once a book is past its grace period? Work the expected fee out by hand and assert it exactly.',
      patch: { find: 'Math.ceil(lateMs / DAY_MS)', replace: 'Math.ceil((lateMs - graceDays * DAY_MS) / DAY_MS)' },
    }),
    mutant('cap-ignored', {
      title: 'the fee grows past the cap',
      behaviour: 'no test returns a book so late that the fee reaches the cap',
      hint: boundaryHint,
      patch: { find: 'return Math.min(startedDays * dailyRateCents, capCents);', replace: 'return startedDays * dailyRateCents;' },
    }),
    mutant('cap-option-ignored', {
      title: 'the capCents option is ignored (always 1000)',
      behaviour: 'no test sets its own capCents and checks that the fee stops there',
      hint: optionHint,
      patch: { find: 'return Math.min(startedDays * dailyRateCents, capCents);', replace: 'return Math.min(startedDays * dailyRateCents, 1000);' },
    }),
    mutant('rate-option-ignored', {
      title: 'the dailyRateCents option is ignored (always 25)',
      behaviour: 'no test sets its own dailyRateCents and checks the fee it gives',
      hint: optionHint,
      patch: { find: 'return Math.min(startedDays * dailyRateCents, capCents);', replace: 'return Math.min(startedDays * 25, capCents);' },
    }),
    mutant('defaults-lost', {
      title: 'giving one option loses the defaults of the others',
      behaviour: 'no test passes only some of the options and relies on the defaults for the rest',
      hint: 'Options come in combinations: none, all, and some. Each combination is a class of inputs worth one test.',
      patch: {
        find: '{ dailyRateCents = 25, capCents = 1000, graceDays = 1 } = {}',
        replace: '{ dailyRateCents, capCents, graceDays } = { dailyRateCents: 25, capCents: 1000, graceDays: 1 }',
      },
    }),
    mutant('invalid-date-accepted', {
      title: 'an invalid Date is accepted',
      behaviour: 'no test passes an invalid Date (one whose time is NaN) and expects a TypeError',
      hint: errorHint,
      patch: {
        find: 'if (!(value instanceof Date) || Number.isNaN(value.getTime())) {',
        replace: 'if (!(value instanceof Date)) {',
      },
    }),
    mutant('date-strings-accepted', {
      title: 'a date string or a timestamp is accepted instead of a Date',
      behaviour: 'no test passes something that is not a Date, such as a date string or a number, and expects a TypeError',
      hint: errorHint,
      patch: [
        {
          find: 'if (!(value instanceof Date) || Number.isNaN(value.getTime())) {',
          replace: 'if (Number.isNaN(new Date(value).getTime())) {',
        },
        {
          find: 'const lateMs = returnedAt.getTime() - dueAt.getTime();',
          replace: 'const lateMs = new Date(returnedAt).getTime() - new Date(dueAt).getTime();',
        },
      ],
    }),
    mutant('negative-option-accepted', {
      title: 'a negative rate, cap or grace period is accepted',
      behaviour: 'no test passes a negative option and expects a RangeError',
      hint: errorHint,
      patch: { find: 'if (!Number.isInteger(value) || value < 0) {', replace: 'if (!Number.isInteger(value)) {' },
    }),
    mutant('fractional-option-accepted', {
      title: 'an option that is not a whole number is accepted',
      behaviour: 'no test passes a fractional option (such as 2.5 cents a day) and expects a RangeError',
      hint: errorHint,
      patch: { find: 'if (!Number.isInteger(value) || value < 0) {', replace: "if (typeof value !== 'number' || value < 0) {" },
    }),
  ],
});
