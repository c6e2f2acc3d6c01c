import {
  accepts,
  defaultsTo,
  foreignKey,
  index,
  insert,
  now,
  optional,
  primaryKey,
  ref,
  rejects,
  required,
  rule,
  sql,
  sqlSchemaGrader,
  table,
  unique,
} from '../../graders/sql-schema/index.ts';

/**
 * design-schema: Shelf's four tables, judged on PostgreSQL by what the catalog says and by how
 * the database behaves, so any correct design passes (identity or serial keys, CHECK or enum,
 * inline or ALTER TABLE constraints, extra columns and tables).
 */

/** One row per table that keeps every rule of the brief; each probe changes one thing. */
const rows = {
  members: { email: (n: number) => `reader${n}@shelf.example`, name: 'Ada Lovelace', joined_at: '2026-01-05 09:00:00+00' },
  books: {
    isbn: (n: number) => `978${String(n).padStart(10, '0')}`,
    title: 'The Dispossessed',
    author: 'Ursula K. Le Guin',
    published_year: 1974,
  },
  copies: { book_id: ref('books'), barcode: (n: number) => `SH-${String(n).padStart(6, '0')}`, status: 'available' },
  loans: { copy_id: ref('copies'), member_id: ref('members'), loaned_at: '2026-03-02 10:00:00+00', due_at: '2026-03-16 10:00:00+00' },
};

export default sqlSchemaGrader({
  file: 'schema.sql',
  rows,
  checks: [
    // members
    table('members', { id: required('key'), email: required('text'), name: required('text'), joined_at: required('timestamptz') }, { points: 2 }),
    primaryKey('members', ['id'], { generated: true }),
    unique('members.email', { noun: 'members', title: 'No two members share an email address' }),
    defaultsTo('members.joined_at', now),

    // books
    table('books', {
      id: required('key'),
      isbn: required('text'),
      title: required('text'),
      author: required('text'),
      published_year: optional('integer'),
    }, { points: 2 }),
    primaryKey('books', ['id']),
    unique('books.isbn', { noun: 'books', title: 'No two books share an ISBN' }),
    rule(
      'books-isbn-13-digits',
      'An ISBN is exactly 13 digits',
      [
        rejects('a 12-digit ISBN', insert('books', { isbn: '978030640615' })),
        rejects('a 14-digit ISBN', insert('books', { isbn: '97803064061570' })),
        rejects('an ISBN with a letter in it', insert('books', { isbn: '978030640615X' })),
        rejects('an ISBN written with hyphens', insert('books', { isbn: '978-0-306-40615-7' })),
        accepts('a 13-digit ISBN', insert('books', { isbn: '9780306406157' })),
        accepts('a 13-digit ISBN that starts with 0', insert('books', { isbn: '0123456789012' })),
      ],
      { points: 2, hint: 'Length alone is not enough: 13 letters are 13 characters too. A pattern can say "digits only, exactly 13 of them".' },
    ),
    rule(
      'books-published-year-range',
      'A publication year, when known, is between 1450 and 2100',
      [
        rejects('a book published in 1449', insert('books', { published_year: 1449 })),
        rejects('a book published in 2101', insert('books', { published_year: 2101 })),
        accepts('a book published in 1450', insert('books', { published_year: 1450 })),
        accepts('a book published in 2100', insert('books', { published_year: 2100 })),
        accepts('a book whose year is unknown (NULL)', insert('books', { published_year: null })),
      ],
      { hint: 'Are both ends included? And remember that a CHECK lets NULL through, which is what "optional" asks for.' },
    ),

    // copies
    table('copies', { id: required('key'), book_id: required('key'), barcode: required('text'), status: required(['text', 'enum']) }, { points: 2 }),
    primaryKey('copies', ['id']),
    foreignKey('copies.book_id', 'books', {
      title: 'Every copy is of a book that exists, and a book that still has copies cannot be deleted',
      onDelete: 'restrict',
      because: 'The brief says deleting a book that still has copies must fail.',
    }),
    unique('copies.barcode', { noun: 'copies', title: 'No two copies share a barcode' }),
    rule(
      'copies-status-values',
      'A copy is available, on_loan or lost, and nothing else',
      [
        rejects('a copy whose status is "missing"', insert('copies', { status: 'missing' })),
        rejects('a copy whose status is "Available" (capital A)', insert('copies', { status: 'Available' })),
        accepts('a copy that is available', insert('copies', { status: 'available' })),
        accepts('a copy that is on_loan', insert('copies', { status: 'on_loan' })),
        accepts('a copy that is lost', insert('copies', { status: 'lost' })),
      ],
      { hint: 'A column that takes one of a few values can be limited with a CHECK or an enum type.' },
    ),
    defaultsTo('copies.status', 'available'),

    // loans
    table('loans', {
      id: required('key'),
      copy_id: required('key'),
      member_id: required('key'),
      loaned_at: required('timestamptz'),
      due_at: required('timestamptz'),
      returned_at: optional('timestamptz'),
    }, { points: 2 }),
    primaryKey('loans', ['id']),
    foreignKey('loans.copy_id', 'copies', { title: 'Every loan is of a copy that exists' }),
    foreignKey('loans.member_id', 'members', {
      title: 'Every loan is to a member who exists, and a member who has loans cannot be deleted',
      onDelete: 'restrict',
      because: 'The brief says deleting a member who has loans must fail: the library must not lose track of its books.',
    }),
    // A loan made now is due later than the template's fixed date, so the due date follows the clock.
    defaultsTo('loans.loaned_at', now, { with: { due_at: sql("now() + interval '14 days'") } }),
    rule(
      'loans-due-after-loaned',
      'A loan is due after it was made',
      [
        rejects('a loan due the day before it was made', insert('loans', { due_at: '2026-03-01 10:00:00+00' })),
        rejects('a loan due at the very moment it was made', insert('loans', { due_at: '2026-03-02 10:00:00+00' })),
        accepts('a loan due two weeks after it was made', insert('loans', { due_at: '2026-03-16 10:00:00+00' })),
      ],
      { hint: 'A CHECK constraint can compare two columns of the same row. "Later than" is strict.' },
    ),
    rule(
      'loans-returned-not-before-loaned',
      'A loan is not returned before it was made',
      [
        rejects('a loan returned the day before it was made', insert('loans', { returned_at: '2026-03-01 10:00:00+00' })),
        accepts('a loan returned the moment it was made', insert('loans', { returned_at: '2026-03-02 10:00:00+00' })),
        accepts('a loan returned a week later', insert('loans', { returned_at: '2026-03-09 10:00:00+00' })),
        accepts('a loan not returned yet (NULL)', insert('loans', { returned_at: null })),
      ],
      { hint: '"Not before" allows the same moment. And an open loan has no return date at all: does your rule let NULL through?' },
    ),
    rule(
      'loans-one-open-loan-per-copy',
      'A copy has at most one open loan at a time',
      [
        rejects('a second open loan of a copy that is already on loan', insert('loans'), insert('loans')),
        // A rule per copy and member would let another member borrow a copy that is out.
        rejects('a second open loan of a copy that is already on loan, to another member', insert('loans'), insert('members'), insert('loans')),
        accepts(
          'a new loan of a copy whose earlier loan was returned',
          insert('loans', { returned_at: '2026-03-10 10:00:00+00' }),
          insert('loans', { loaned_at: '2026-03-11 10:00:00+00', due_at: '2026-03-25 10:00:00+00' }),
        ),
        accepts('open loans of two different copies', insert('loans'), insert('copies'), insert('loans')),
      ],
      {
        points: 2,
        hint: 'UNIQUE (copy_id) would allow only one loan per copy, ever. Uniqueness can be limited to some rows: which rows are the open loans?',
      },
    ),
    index('loans', 'member_id', { purpose: "Listing a member's loans" }),
  ],
});
