-- Shelf: the database of a library lending service.

CREATE TABLE members (
  id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  email     text NOT NULL UNIQUE,
  name      text NOT NULL,
  joined_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE books (
  id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  isbn           text NOT NULL UNIQUE CHECK (isbn ~ '^[0-9]{13}$'),
  title          text NOT NULL,
  author         text NOT NULL,
  published_year integer CHECK (published_year BETWEEN 1450 AND 2100)
);

CREATE TABLE copies (
  id      bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  -- No ON DELETE clause: NO ACTION, so a book that still has copies cannot be deleted.
  book_id bigint NOT NULL REFERENCES books (id),
  barcode text NOT NULL UNIQUE,
  status  text NOT NULL DEFAULT 'available'
          CHECK (status IN ('available', 'on_loan', 'lost'))
);

CREATE TABLE loans (
  id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  copy_id     bigint NOT NULL REFERENCES copies (id) ON DELETE RESTRICT,
  member_id   bigint NOT NULL REFERENCES members (id) ON DELETE RESTRICT,
  loaned_at   timestamptz NOT NULL DEFAULT now(),
  due_at      timestamptz NOT NULL,
  returned_at timestamptz,
  CHECK (due_at > loaned_at),
  CHECK (returned_at >= loaned_at)
);

-- At most one open loan (not yet returned) per copy.
CREATE UNIQUE INDEX loans_one_open_loan_per_copy ON loans (copy_id) WHERE returned_at IS NULL;

-- "Which books does this member have?" is asked on every visit to their page.
CREATE INDEX loans_member_id_idx ON loans (member_id);
