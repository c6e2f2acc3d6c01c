// Shelf's books API. The contract is in the brief beside the editor.
import express from 'express';

const app = express();
app.use(express.json());

// Done for you: the grader also uses it to see that your server is up.
app.get('/health', (req, res) => {
  res.json({ status: 'ok' });
});

// Books live in memory while the server runs.
const books = [];

// TODO POST /books          create a book: 201, the book, and a Location header
// TODO GET /books           list books, oldest first, with limit and offset
// TODO GET /books/:id       one book, or 404
// TODO PATCH /books/:id     change some fields of a book
// TODO DELETE /books/:id    remove a book: 204, or 404
// TODO any other route      404 with a JSON error
// TODO a body that is not valid JSON: 400 with a JSON error, never a 500

// The grader (and any host) gives the port in PORT. Locally, `npm start` serves on port 3000.
const port = Number(process.env.PORT ?? 3000);
const host = process.env.HOST ?? 'localhost';
app.listen(port, host, () => {
  console.log(`Shelf API listening on http://${host}:${port}`);
});
