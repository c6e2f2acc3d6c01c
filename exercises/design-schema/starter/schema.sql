-- Shelf: the database of a library lending service.
--
-- Fill in the four tables below so they keep the rules of the brief.
-- Run it yourself if you have PostgreSQL at hand:  psql -f schema.sql
-- Then press "Check": the grader runs this file on PostgreSQL and tries
-- inserts that must work and inserts that must be refused.
--
-- Useful pieces:  PRIMARY KEY, GENERATED ALWAYS AS IDENTITY, NOT NULL,
-- UNIQUE, DEFAULT, CHECK (...), REFERENCES other_table (id),
-- ON DELETE ..., CREATE INDEX ... ON table (column) [WHERE ...].

-- A person who borrows books.
CREATE TABLE members (
  id    bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  email text,
  name  text
  -- joined_at: when they joined; filled in automatically
);

-- A title in the catalogue. The library may own several copies of it.
CREATE TABLE books (
  id    bigint PRIMARY KEY,
  isbn  text,
  title text
  -- author, published_year
);

-- A physical copy of a book, with the barcode stuck on its cover.
CREATE TABLE copies (
  id bigint PRIMARY KEY
  -- book_id, barcode, status
);

-- A copy lent to a member.
CREATE TABLE loans (
  id bigint PRIMARY KEY
  -- copy_id, member_id, loaned_at, due_at, returned_at
);

-- Members often ask "which books do I have?": what would make that fast?
