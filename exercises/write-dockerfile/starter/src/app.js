// The HTTP routes of the Shelf API.
import express from 'express';
import { createCatalogue } from './catalogue.js';

export function createApp(catalogue = createCatalogue()) {
  const app = express();
  app.use(express.json());

  // For the container's HEALTHCHECK and the load balancer: cheap, no database.
  app.get('/health', (_req, res) => {
    res.json({ status: 'ok', uptime: Math.round(process.uptime()) });
  });

  app.get('/books', (req, res) => {
    res.json(catalogue.search(String(req.query.q ?? '')));
  });

  app.get('/books/:id', (req, res) => {
    const book = catalogue.find(req.params.id);
    if (!book) return res.status(404).json({ error: `No book with id ${req.params.id}` });
    res.json(book);
  });

  app.post('/loans', (req, res) => {
    const { bookId, memberId } = req.body ?? {};
    if (typeof bookId !== 'string' || typeof memberId !== 'string') {
      return res.status(400).json({ error: 'bookId and memberId are required strings' });
    }
    const result = catalogue.lend(bookId, memberId);
    if (!result.ok) return res.status(result.status).json({ error: result.error });
    res.status(201).json(result.loan);
  });

  app.post('/loans/:id/return', (req, res) => {
    const loan = catalogue.giveBack(req.params.id);
    if (!loan) return res.status(404).json({ error: `No open loan with id ${req.params.id}` });
    res.json(loan);
  });

  return app;
}
