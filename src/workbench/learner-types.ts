/**
 * Declarations for packages the learner's JavaScript imports that ship no types of their own,
 * so the editor can complete `res.status(…).json(…)` inside a handler. Short on purpose: the
 * parts of the API the course uses, documented the way the course teaches them. Served to the
 * editor by `/exercises/<id>/types.json`; kept as text so it never joins the site's own types.
 */
export const packageDeclarations: Record<string, string> = {
  express: `declare module 'express' {
  import type { IncomingMessage, ServerResponse, Server } from 'node:http';

  /** A parsed request. */
  export interface Request extends IncomingMessage {
    /** Route parameters: for '/books/:id', req.params.id. Always strings. */
    params: Record<string, string>;
    /** The query string, parsed: for '?limit=2', req.query.limit === '2'. */
    query: Record<string, string | string[] | undefined>;
    /** The parsed body (with express.json()), or undefined. */
    body: any;
    /** The path without the query string. */
    path: string;
    method: string;
    /** A request header, case-insensitive. */
    get(name: string): string | undefined;
    header(name: string): string | undefined;
    /** Whether the Content-Type matches, e.g. req.is('application/json'). */
    is(type: string | string[]): string | false | null;
    protocol: string;
    hostname: string;
    originalUrl: string;
    baseUrl: string;
  }

  /** The response being built. Most methods return it, so calls chain: res.status(201).json(book). */
  export interface Response extends ServerResponse {
    /** Sets the status code. */
    status(code: number): this;
    /** Sends a JSON body (and Content-Type: application/json). */
    json(body?: unknown): this;
    /** Sends a body: a string, a Buffer or an object (as JSON). */
    send(body?: unknown): this;
    /** Sets the status and sends its name as the body, e.g. res.sendStatus(204). */
    sendStatus(code: number): this;
    /** Sets a header. */
    set(field: string, value?: string | string[]): this;
    set(fields: Record<string, string>): this;
    header(field: string, value?: string | string[]): this;
    /** Reads a header already set. */
    get(field: string): string | undefined;
    /** Sets the Location header. */
    location(url: string): this;
    /** Sets Content-Type from an extension or a MIME type. */
    type(type: string): this;
    redirect(url: string): void;
    redirect(status: number, url: string): void;
    end(): this;
    locals: Record<string, unknown>;
  }

  export type NextFunction = (error?: unknown) => void;
  export type RequestHandler = (req: Request, res: Response, next: NextFunction) => unknown;
  export type ErrorRequestHandler = (error: any, req: Request, res: Response, next: NextFunction) => unknown;
  type Handlers = Array<RequestHandler | RequestHandler[]>;

  export interface Router {
    get(path: string | RegExp, ...handlers: Handlers): this;
    post(path: string | RegExp, ...handlers: Handlers): this;
    put(path: string | RegExp, ...handlers: Handlers): this;
    patch(path: string | RegExp, ...handlers: Handlers): this;
    delete(path: string | RegExp, ...handlers: Handlers): this;
    options(path: string | RegExp, ...handlers: Handlers): this;
    all(path: string | RegExp, ...handlers: Handlers): this;
    /** Middleware for every request, or for a path prefix. An error handler takes four arguments. */
    use(...handlers: Array<RequestHandler | ErrorRequestHandler | Router>): this;
    use(path: string, ...handlers: Array<RequestHandler | ErrorRequestHandler | Router>): this;
    route(path: string): Router;
  }

  export interface Application extends Router {
    /** Starts listening; the callback runs once the server accepts connections. */
    listen(port: number, hostname: string, callback?: () => void): Server;
    listen(port: number, callback?: () => void): Server;
    set(setting: string, value: unknown): this;
    disable(setting: string): this;
    enable(setting: string): this;
  }

  interface Express {
    (): Application;
    /** Parses JSON bodies into req.body; a malformed body becomes an error with status 400. */
    json(options?: { limit?: string | number; strict?: boolean; type?: string | string[] }): RequestHandler;
    urlencoded(options?: { extended?: boolean }): RequestHandler;
    static(root: string): RequestHandler;
    Router(): Router;
  }

  const express: Express;
  export default express;
  export function Router(): Router;
  export function json(options?: { limit?: string | number; strict?: boolean }): RequestHandler;
}
`,
};
