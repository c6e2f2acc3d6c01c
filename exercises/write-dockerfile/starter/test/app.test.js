// Run with `npm test` (node's built-in test runner, chai for assertions).
import { test } from 'node:test';
import { expect } from 'chai';
import { createApp } from '../src/app.js';

async function withServer(run) {
  const server = createApp().listen(0);
  await new Promise((resolve) => server.once('listening', resolve));
  try {
    await run(`http://127.0.0.1:${server.address().port}`);
  } finally {
    server.close();
  }
}

test('GET /health answers ok', () =>
  withServer(async (base) => {
    const response = await fetch(`${base}/health`);
    expect(response.status).to.equal(200);
    expect(await response.json()).to.include({ status: 'ok' });
  }));

test('a book cannot be lent twice', () =>
  withServer(async (base) => {
    const lend = () =>
      fetch(`${base}/loans`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ bookId: 'b2', memberId: 'm1' }) });
    expect((await lend()).status).to.equal(201);
    expect((await lend()).status).to.equal(409);
  }));
