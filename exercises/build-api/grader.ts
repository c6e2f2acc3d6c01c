import { type ProbeContext, type Random, type Reply, httpApi, probe } from '../../graders/http-api/index.ts';

/**
 * Shelf's books API, judged by real requests. Every run draws fresh books from the seed in the
 * report, so an answer hard-coded for one run fails the next; the same seed replays a run.
 */

interface NewBook {
  isbn: unknown;
  title: unknown;
  author: unknown;
  publishedYear?: unknown;
}

interface Book {
  id: string | number;
  isbn: string;
  title: string;
  author: string;
  publishedYear: number | null;
}

const adjectives = ['Quiet', 'Last', 'Hidden', 'Northern', 'Paper', 'Silent', 'Restless', 'Borrowed', 'Lost', 'Winter', 'Distant', 'Amber'];
const nouns = ['Library', 'Orchard', 'Harbour', 'Atlas', 'Lantern', 'Archive', 'Garden', 'Compass', 'Reader', 'Museum', 'River', 'Ledger'];
const places = ['Lisbon', 'the Marsh', 'Kraków', 'the Coast', 'Nairobi', 'the Hills', 'Oaxaca', 'the North'];
const firstNames = ['Ada', 'José', 'Wisława', 'Chinua', 'Yoko', 'Italo', 'Clarice', 'Orhan', 'Tove', 'Ngozi', 'Halldór', 'Amélie'];
const lastNames = ['Okafor', 'Saramago', 'Lindqvist', 'Tanaka', 'Calvino', 'Lispector', 'Pamuk', 'Jansson', 'Mbeki', 'Laxness', 'Dubois', 'Nowak'];

/** A valid ISBN-13 (978 prefix, correct check digit), so the data looks like what Shelf will see. */
function isbn(random: Random): string {
  const body = `978${random.digits(9)}`;
  const sum = [...body].reduce((total, digit, index) => total + Number(digit) * (index % 2 === 0 ? 1 : 3), 0);
  return body + String((10 - (sum % 10)) % 10);
}

function title(random: Random): string {
  return `The ${random.pick(adjectives)} ${random.pick(nouns)} of ${random.pick(places)}`;
}

function newBook(random: Random): { isbn: string; title: string; author: string; publishedYear: number } {
  return {
    isbn: isbn(random),
    title: title(random),
    author: `${random.pick(firstNames)} ${random.pick(lastNames)}`,
    publishedYear: random.int(1600, 2025),
  };
}

/** An id no book has: digits, so servers with numeric ids do a real lookup. */
function missingId(random: Random): string {
  return String(random.int(70_000_000, 99_999_999));
}

const bookPath = (id: unknown): string => `/books/${encodeURIComponent(String(id))}`;

const isId = (value: unknown): boolean => (typeof value === 'number' && Number.isFinite(value)) || (typeof value === 'string' && value !== '');

/** The fields of a stored book equal what was sent (`publishedYear` null when it was left out). */
function expectBook(reply: Reply, sent: NewBook, path = ''): Reply {
  const at = (name: string) => (path ? `${path}.${name}` : name);
  return reply
    .expect((r) => isId(r.field(at('id'))), `\`${at('id')}\` to be the book's id (a number or a non-empty string), got ${JSON.stringify(reply.field(at('id')))}`)
    .expectField(at('isbn'), sent.isbn)
    .expectField(at('title'), sent.title)
    .expectField(at('author'), sent.author)
    .expectField(at('publishedYear'), sent.publishedYear ?? null);
}

/** Set-up: creates a book and returns it as stored. Any 2xx is accepted here; `create-book` judges the status. */
async function create(t: ProbeContext, book: NewBook = newBook(t.random)): Promise<Book> {
  const reply = await t
    .request('POST /books', { json: book, purpose: 'creating a book to test with' })
    .expectSuccess('a valid book')
    .expectJson()
    .expect((r) => isId(r.field('id')), 'the created book to have an `id` (a number or a non-empty string)');
  return reply.json as Book;
}

/** Each invalid body changes one field of a valid book; the error must name that field. */
const invalidBooks: { field: keyof NewBook; change: (book: NewBook) => void; what: string }[] = [
  { field: 'isbn', what: 'no isbn', change: (book) => delete book.isbn },
  { field: 'isbn', what: 'a 12-digit isbn', change: (book) => (book.isbn = String(book.isbn).slice(1)) },
  { field: 'isbn', what: 'an isbn with hyphens', change: (book) => (book.isbn = String(book.isbn).replace(/^(\d{3})(\d)(\d{3})(\d{5})(\d)$/, '$1-$2-$3-$4-$5')) },
  { field: 'isbn', what: 'an isbn sent as a number', change: (book) => (book.isbn = Number(book.isbn)) },
  { field: 'title', what: 'no title', change: (book) => delete book.title },
  { field: 'title', what: 'an empty title', change: (book) => (book.title = '') },
  { field: 'title', what: 'a title that is a number', change: (book) => (book.title = 42) },
  { field: 'author', what: 'no author', change: (book) => delete book.author },
  { field: 'author', what: 'an empty author', change: (book) => (book.author = '') },
  { field: 'publishedYear', what: 'publishedYear 1449', change: (book) => (book.publishedYear = 1449) },
  { field: 'publishedYear', what: 'publishedYear 2101', change: (book) => (book.publishedYear = 2101) },
  { field: 'publishedYear', what: 'publishedYear 1999.5', change: (book) => (book.publishedYear = 1999.5) },
  { field: 'publishedYear', what: 'publishedYear as the text "1999"', change: (book) => (book.publishedYear = '1999') },
];

export default httpApi({
  version: '1.0.0',
  readyPath: '/health',
  checks: [
    probe(
      {
        id: 'health',
        title: '`GET /health` answers 200 with `{"status":"ok"}`',
        points: 1,
        hint: 'This route came with the starter. If it fails now, look at what runs before it: a middleware that never calls next(), or a catch-all route registered first.',
      },
      async ({ request }) => {
        await request('GET /health').expectStatus(200).expectJson().expectField('status', 'ok');
      },
    ),

    probe(
      {
        id: 'create-book',
        title: '`POST /books` creates a book: 201 and the stored book as JSON',
        points: 3,
        hint: '201 Created tells the client a new resource exists; 200 only says "it worked". Answer with the book as stored: its new id plus every field, `publishedYear` included.',
      },
      async ({ request, random }) => {
        const book = newBook(random);
        const reply = await request('POST /books', { json: book }).expectStatus(201, 'a new book was created').expectJson();
        expectBook(reply, book);
      },
    ),

    probe(
      {
        id: 'create-location',
        title: 'A created book comes with a `Location` header that leads to it',
        points: 2,
        hint: 'A 201 says where the new resource lives, in a `Location` header: `/books/<id>` (a full URL works too). The client can then GET it without guessing your URL scheme.',
      },
      async (t) => {
        const book = newBook(t.random);
        const created = await t.request('POST /books', { json: book }).expectSuccess('a valid book').expectJson();
        const id = created.field('id');
        created
          .expectHeader('location')
          .expect(
            (r) => decodeURIComponent(new URL(r.header('location') ?? '', 'http://localhost').pathname) === `/books/${String(id)}`,
            `the \`Location\` header to point at \`/books/${String(id)}\`, got \`${created.header('location')}\``,
          );
        const target = new URL(created.header('location') ?? '', 'http://localhost');
        const fetched = await t.request(`GET ${target.pathname}${target.search}`, { purpose: 'following the Location header' }).expectStatus(200, 'the Location of a new book').expectJson();
        expectBook(fetched, book);
      },
    ),

    probe(
      {
        id: 'create-published-year',
        title: '`publishedYear` is optional (null when left out) and accepts 1450 and 2100',
        points: 2,
        hint: 'A field the client leaves out still belongs in the stored book, as null, so every book has the same shape. Check the year range with the boundaries included.',
      },
      async (t) => {
        const { publishedYear: _, ...withoutYear } = newBook(t.random);
        const reply = await t.request('POST /books', { json: withoutYear }).expectSuccess('publishedYear is optional').expectJson();
        expectBook(reply, withoutYear);
        for (const year of [1450, 2100]) {
          const book = { ...newBook(t.random), publishedYear: year };
          const edge = await t.request('POST /books', { json: book }).expectSuccess(`${year} is inside 1450 to 2100`).expectJson();
          expectBook(edge, book);
        }
      },
    ),

    probe(
      {
        id: 'create-rejects-invalid',
        title: 'An invalid book is answered 400, with an error that names the bad field',
        points: 3,
        hint: 'Check each field before storing anything: the ISBN is a string of exactly 13 digits, title and author are non-empty strings, and publishedYear (when given) is a whole number from 1450 to 2100. Answer `{"error": {"message": …, "fields": {<field>: <what is wrong>}}}`.',
      },
      async (t) => {
        for (const invalid of invalidBooks) {
          const book: NewBook = newBook(t.random);
          invalid.change(book);
          await t.request('POST /books', { json: book }).expectError(400, { fields: [invalid.field], why: invalid.what });
        }
      },
    ),

    probe(
      {
        id: 'create-reports-every-field',
        title: 'A book with several bad fields gets one 400 that names all of them',
        points: 2,
        hint: 'Collect every problem before answering instead of stopping at the first: a client that fixes one field at a time needs as many round trips as there are mistakes.',
      },
      async ({ request, random }) => {
        const book = { isbn: random.word(5), title: '', publishedYear: random.int(2200, 3000) };
        await request('POST /books', { json: book }).expectError(400, { fields: ['isbn', 'title', 'author', 'publishedYear'] });
      },
    ),

    probe(
      {
        id: 'rejected-not-stored',
        title: 'A rejected book is not stored',
        points: 1,
        hint: 'Validate first, store second. If an invalid book was saved, its ISBN is taken and the corrected book then collides with it.',
      },
      async ({ request, random }) => {
        const book = newBook(random);
        await request('POST /books', { json: { ...book, title: '' } }).expectStatus(400, 'the title is empty');
        await request('POST /books', { json: book }).expectSuccess('the earlier request with this ISBN was rejected, so the ISBN is still free');
      },
    ),

    probe(
      {
        id: 'create-bad-json',
        title: 'A body that is not valid JSON is answered 400 with a JSON error, never 500',
        points: 2,
        hint: 'A broken body is the client\'s mistake (4xx), not a failure of your server (5xx). The JSON body parser reports it as an error of its own; handle it in an error handler and answer with the same JSON error shape as everywhere else.',
      },
      async ({ request, random }) => {
        const body = `{"isbn": "${isbn(random)}", "title": "${title(random)}`;
        await request('POST /books', { body, headers: { 'Content-Type': 'application/json' } }).expectError(400, { why: 'the body is not valid JSON' });
      },
    ),

    probe(
      {
        id: 'create-duplicate-isbn',
        title: 'A second book with the same ISBN is answered 409 and the first is kept',
        points: 2,
        hint: 'The ISBN identifies a book, so two books cannot share one. 409 Conflict says the request clashes with the current state; leave the stored book untouched.',
      },
      async (t) => {
        const first = await create(t);
        const clash = { ...newBook(t.random), isbn: first.isbn };
        await t.request('POST /books', { json: clash }).expectError(409, { why: 'that ISBN is taken' });
        const kept = await t.request(`GET ${bookPath(first.id)}`, { purpose: 'reading the first book again' }).expectStatus(200).expectJson();
        expectBook(kept, first);
      },
    ),

    probe(
      {
        id: 'get-book',
        title: '`GET /books/:id` answers 200 with the book',
        points: 2,
        hint: 'Look the book up by the id from the path. Path parameters arrive as text: compare them with your ids of the same type.',
      },
      async (t) => {
        const book = await create(t);
        const reply = await t.request(`GET ${bookPath(book.id)}`).expectStatus(200).expectJson();
        expectBook(reply, book).expect((r) => String(r.field('id')) === String(book.id), `the id to be ${JSON.stringify(book.id)}`);
      },
    ),

    probe(
      {
        id: 'get-missing',
        title: '`GET /books/:id` of an unknown id answers 404 with a JSON error',
        points: 2,
        hint: 'When the lookup finds nothing, answer 404 with `{"error": {"message": …}}`, and make sure that branch returns: a handler must send exactly one response on every path.',
      },
      async ({ request, random }) => {
        await request(`GET ${bookPath(missingId(random))}`).expectError(404);
        await request(`GET ${bookPath(`no-such-book-${random.word(6)}`)}`).expectError(404);
      },
    ),

    probe(
      {
        id: 'list-books',
        title: '`GET /books` answers `{items, total, limit, offset}` with limit 20 and offset 0 by default',
        points: 2,
        hint: 'A list is an object, not a bare array: `total` lets a client know how many pages there are, and echoing `limit` and `offset` shows which page this is. Without query parameters, limit is 20 and offset 0.',
      },
      async (t) => {
        await create(t);
        const page = await t
          .request('GET /books')
          .expectStatus(200)
          .expectJson()
          .expectFieldType('items', 'array')
          .expectFieldType('total', 'integer')
          .expectField('limit', 20, 'the default')
          .expectField('offset', 0, 'the default');
        const total = page.field('total') as number;
        const items = page.field('items') as unknown[];
        page
          .expect(() => total >= 1, '`total` to count the book just created')
          .expect(() => items.length === Math.min(total, 20), `\`items\` to hold the first ${Math.min(total, 20)} of ${total} books, got ${items.length}`);
        items.forEach((_, index) => {
          page.expect((r) => ['id', 'isbn', 'title', 'author', 'publishedYear'].every((key) => r.field(`items.${index}.${key}`) !== undefined), `every item to be a whole book (id, isbn, title, author, publishedYear); item ${index} is not`);
        });
      },
    ),

    probe(
      {
        id: 'list-pagination',
        title: '`limit` and `offset` pick a page of books, oldest first',
        points: 3,
        hint: 'Keep books in the order they were created; `offset` skips that many books and `limit` caps how many come back. `total` always counts every book, not just the page.',
      },
      async (t) => {
        const before = await t
          .request('GET /books?limit=1', { purpose: 'counting the books already stored' })
          .expectStatus(200)
          .expectJson()
          .expectFieldType('total', 'integer');
        const total = before.field('total') as number;
        const books = [await create(t), await create(t), await create(t)];
        const ids = (reply: Reply) => ((reply.field('items') as { id?: unknown }[] | undefined) ?? []).map((item) => String(item?.id));
        const first = await t
          .request(`GET /books?limit=2&offset=${total}`)
          .expectStatus(200)
          .expectJson()
          .expectField('total', total + 3, 'three books more than before')
          .expectField('limit', 2)
          .expectField('offset', total)
          .expectField('items.length', 2, 'limit=2');
        first.expect((r) => ids(r).join() === [books[0], books[1]].map((book) => String(book?.id)).join(), 'the first two of three new books, in the order they were created');
        const rest = await t.request(`GET /books?limit=2&offset=${total + 2}`).expectStatus(200).expectJson().expectField('items.length', 1, 'only one book is left after that offset');
        rest.expect((r) => ids(r)[0] === String(books[2]?.id), 'the newest book last');
      },
    ),

    probe(
      {
        id: 'list-rejects-bad-params',
        title: 'A `limit` outside 1–100 or a bad `offset` is answered 400 (and 1 and 100 still work)',
        points: 2,
        hint: 'Query parameters arrive as text. Accept only whole numbers in range and say what is wrong otherwise; silently using a default hides the client\'s bug.',
      },
      async ({ request }) => {
        for (const query of ['limit=0', 'limit=101', 'limit=ten', 'limit=2.5', 'offset=-1', 'offset=abc']) {
          await request(`GET /books?${query}`).expectError(400, { why: `${query} is out of range or not a whole number` });
        }
        for (const limit of [1, 100]) {
          await request(`GET /books?limit=${limit}`).expectStatus(200, `limit=${limit} is allowed`).expectJson().expectField('limit', limit);
        }
      },
    ),

    probe(
      {
        id: 'update-book',
        title: '`PATCH /books/:id` changes the fields sent and keeps the others',
        points: 3,
        hint: 'PATCH is a partial update: change only the fields in the body, answer 200 with the whole updated book, and keep the change for later reads.',
      },
      async (t) => {
        const book = await create(t);
        const changes = { title: title(t.random), publishedYear: t.random.int(1450, 2100) };
        const expected = { ...book, ...changes };
        const reply = await t.request(`PATCH ${bookPath(book.id)}`, { json: changes }).expectStatus(200).expectJson();
        expectBook(reply, expected);
        const again = await t.request(`GET ${bookPath(book.id)}`, { purpose: 'reading the book after the update' }).expectStatus(200).expectJson();
        expectBook(again, expected);
      },
    ),

    probe(
      {
        id: 'update-validates',
        title: 'An invalid `PATCH` is answered 400 naming the field, and the book is unchanged',
        points: 2,
        hint: 'The rules for a field do not change because it arrives in a PATCH: check each field that is sent, with the same rules as for creating, and change nothing when one is wrong.',
      },
      async (t) => {
        const book = await create(t);
        const invalid: [string, unknown][] = [
          ['publishedYear', 1200],
          ['isbn', t.random.digits(5)],
          ['title', ''],
          ['author', 42],
        ];
        for (const [field, value] of invalid) {
          await t.request(`PATCH ${bookPath(book.id)}`, { json: { [field]: value } }).expectError(400, { fields: [field] });
        }
        const after = await t.request(`GET ${bookPath(book.id)}`, { purpose: 'reading the book after the rejected changes' }).expectStatus(200).expectJson();
        expectBook(after, book);
      },
    ),

    probe(
      {
        id: 'update-missing',
        title: '`PATCH` of an unknown id answers 404',
        points: 1,
        hint: 'Updating a book that does not exist is not an error of your server; say so with 404 and the usual JSON error.',
      },
      async ({ request, random }) => {
        await request(`PATCH ${bookPath(missingId(random))}`, { json: { title: title(random) } }).expectError(404);
      },
    ),

    probe(
      {
        id: 'update-isbn-conflict',
        title: '`PATCH` to an ISBN another book has is answered 409 (a book may keep its own)',
        points: 2,
        hint: 'The uniqueness rule holds for updates too, but a book does not conflict with itself: compare with the other books only.',
      },
      async (t) => {
        const first = await create(t);
        const second = await create(t);
        await t.request(`PATCH ${bookPath(second.id)}`, { json: { isbn: first.isbn } }).expectError(409, { why: 'another book has that ISBN' });
        const own = { isbn: second.isbn, title: title(t.random) };
        const reply = await t.request(`PATCH ${bookPath(second.id)}`, { json: own }).expectStatus(200, 'sending a book\'s own ISBN is no conflict').expectJson();
        expectBook(reply, { ...second, ...own });
      },
    ),

    probe(
      {
        id: 'delete-book',
        title: '`DELETE /books/:id` answers 204 with no body; the book is gone and a second DELETE is 404',
        points: 2,
        hint: '204 No Content means done, nothing to show: send no body. DELETE is idempotent: repeating it leaves the server in the same state, and the repeat can truthfully say 404.',
      },
      async (t) => {
        const book = await create(t);
        await t.request(`DELETE ${bookPath(book.id)}`).expectStatus(204).expectEmptyBody();
        await t.request(`GET ${bookPath(book.id)}`, { purpose: 'reading the book after deleting it' }).expectError(404, { why: 'the book was deleted' });
        await t.request(`DELETE ${bookPath(book.id)}`, { purpose: 'deleting the same book again' }).expectError(404, { why: 'the book was already deleted' });
      },
    ),

    probe(
      {
        id: 'delete-missing',
        title: '`DELETE` of an unknown id answers 404',
        points: 1,
        hint: 'Find the book before removing it, and answer 404 with a JSON error when there is none.',
      },
      async ({ request, random }) => {
        await request(`DELETE ${bookPath(missingId(random))}`).expectError(404);
      },
    ),

    probe(
      {
        id: 'unknown-route',
        title: 'Any other route answers 404 with a JSON error',
        points: 2,
        hint: 'Clients of a JSON API parse every answer as JSON, errors included. After all your routes, add one last handler for everything else. A known path with a method it does not support may answer 404 or 405.',
      },
      async ({ request, random }) => {
        await request(`GET /${random.word(7)}`).expectError(404);
        await request(`GET /books/${random.word(4)}/${random.word(5)}`).expectError(404);
        await request('PUT /books', { json: newBook(random) }).expectStatus([404, 405], 'PUT is not part of the contract');
      },
    ),
  ],
});
