// Shelf's books API: Express 5, books kept in memory.
import express from 'express';

const app = express();
app.use(express.json());

app.get('/health', (req, res) => {
  res.json({ status: 'ok' });
});

/** Books by id; a Map keeps insertion order, which is the "oldest first" of the list. */
const books = new Map();
let nextId = 1;

/** The contract's error body: a message, and per field what is wrong when a field is to blame. */
function sendError(res, status, message, fields) {
  res.status(status).json({ error: fields ? { message, fields } : { message } });
}

const isObject = (value) => typeof value === 'object' && value !== null && !Array.isArray(value);
const isNonEmptyText = (value) => typeof value === 'string' && value.trim() !== '';

/**
 * What is wrong with a book's fields, by field name. For a PATCH (`partial`) only the fields that
 * are sent are checked, with the same rules.
 */
function problemsWith(input, { partial }) {
  const problems = {};
  const sent = (name) => !partial || input[name] !== undefined;
  if (sent('isbn') && !(typeof input.isbn === 'string' && /^\d{13}$/.test(input.isbn))) {
    problems.isbn = 'must be a string of exactly 13 digits';
  }
  if (sent('title') && !isNonEmptyText(input.title)) problems.title = 'must be a non-empty string';
  if (sent('author') && !isNonEmptyText(input.author)) problems.author = 'must be a non-empty string';
  const year = input.publishedYear;
  if (year !== undefined && year !== null && !(Number.isInteger(year) && year >= 1450 && year <= 2100)) {
    problems.publishedYear = 'must be a whole number from 1450 to 2100';
  }
  return problems;
}

const bookWithIsbn = (isbn) => [...books.values()].find((book) => book.isbn === isbn);

app.post('/books', (req, res) => {
  const input = req.body;
  if (!isObject(input)) return sendError(res, 400, 'Send the book as a JSON object.');
  const problems = problemsWith(input, { partial: false });
  if (Object.keys(problems).length > 0) return sendError(res, 400, 'The book is not valid.', problems);
  if (bookWithIsbn(input.isbn)) return sendError(res, 409, `A book with ISBN ${input.isbn} already exists.`);

  const book = {
    id: nextId++,
    isbn: input.isbn,
    title: input.title,
    author: input.author,
    publishedYear: input.publishedYear ?? null,
  };
  books.set(String(book.id), book);
  res.status(201).location(`/books/${book.id}`).json(book);
});

/** A whole number from a query parameter within [min, max]; the fallback when it is absent; undefined when invalid. */
function whole(raw, fallback, min, max) {
  if (raw === undefined) return fallback;
  if (typeof raw !== 'string' || !/^\d+$/.test(raw)) return undefined;
  const value = Number(raw);
  return value >= min && value <= max ? value : undefined;
}

app.get('/books', (req, res) => {
  const limit = whole(req.query.limit, 20, 1, 100);
  const offset = whole(req.query.offset, 0, 0, Number.MAX_SAFE_INTEGER);
  if (limit === undefined || offset === undefined) {
    const problems = {};
    if (limit === undefined) problems.limit = 'must be a whole number from 1 to 100';
    if (offset === undefined) problems.offset = 'must be a whole number, 0 or more';
    return sendError(res, 400, 'The query parameters are not valid.', problems);
  }
  const all = [...books.values()];
  res.json({ items: all.slice(offset, offset + limit), total: all.length, limit, offset });
});

app.get('/books/:id', (req, res) => {
  const book = books.get(req.params.id);
  if (!book) return sendError(res, 404, `There is no book ${req.params.id}.`);
  res.json(book);
});

app.patch('/books/:id', (req, res) => {
  const book = books.get(req.params.id);
  if (!book) return sendError(res, 404, `There is no book ${req.params.id}.`);
  const input = req.body;
  if (!isObject(input)) return sendError(res, 400, 'Send the changes as a JSON object.');
  const problems = problemsWith(input, { partial: true });
  if (Object.keys(problems).length > 0) return sendError(res, 400, 'The changes are not valid.', problems);
  const owner = input.isbn === undefined ? undefined : bookWithIsbn(input.isbn);
  if (owner && owner !== book) return sendError(res, 409, `Another book already has ISBN ${input.isbn}.`);

  for (const name of ['isbn', 'title', 'author', 'publishedYear']) {
    if (input[name] !== undefined) book[name] = input[name];
  }
  res.json(book);
});

app.delete('/books/:id', (req, res) => {
  if (!books.delete(req.params.id)) return sendError(res, 404, `There is no book ${req.params.id}.`);
  res.status(204).end();
});

// After every route: whatever is left is not part of the API.
app.use((req, res) => {
  sendError(res, 404, `There is no route ${req.method} ${req.path}.`);
});

// Errors thrown by middleware or handlers, the JSON parser's included.
app.use((error, req, res, next) => {
  if (error.type === 'entity.parse.failed') return sendError(res, 400, 'The body is not valid JSON.');
  if (error.status >= 400 && error.status < 500) return sendError(res, error.status, error.message);
  console.error(error);
  sendError(res, 500, 'Something went wrong on our side.');
});

const port = Number(process.env.PORT ?? 3000);
const host = process.env.HOST ?? 'localhost';
app.listen(port, host, () => {
  console.log(`Shelf API listening on http://${host}:${port}`);
});
