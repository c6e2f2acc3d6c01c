// Starts the Shelf API. Configuration comes from the environment (see .env.example).
import { createApp } from './app.js';

const port = Number(process.env.PORT ?? 3000);
const app = createApp();

const server = app.listen(port, () => {
  console.log(`Shelf API listening on port ${port} (${process.env.NODE_ENV ?? 'development'})`);
});

// `docker stop` sends SIGTERM: finish the requests in flight, then exit.
process.on('SIGTERM', () => {
  console.log('SIGTERM received, closing the server');
  server.close(() => process.exit(0));
});
