/**
 * A local HTTP endpoint that receives notifications, for tests of their delivery: it records every POST (path,
 * headers, parsed body, arrival time) and answers as each path is told to (a status, or hold the request until
 * released). Listens on a random free port of 127.0.0.1.
 */
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  path: string;
  headers: IncomingHttpHeaders;
  body: any;
  at: number;
}

/** How a path answers: an HTTP status, or 'hold' (no answer until release()). */
export type Answer = number | 'hold';

export class Receiver {
  readonly received: Received[] = [];
  readonly #answers = new Map<string, Answer[]>();
  readonly #held: ServerResponse[] = [];
  readonly #waiters: Array<() => void> = [];
  #server: Server | undefined;
  #port = 0;

  /** Starts listening; resolves once the port is known. */
  static async start(): Promise<Receiver> {
    const r = new Receiver();
    r.#server = createServer((req, res) => {
      let text = '';
      req.setEncoding('utf8');
      req.on('data', (c: string) => (text += c));
      req.on('end', () => r.#record(req.url ?? '/', req.headers, text, res));
    });
    await new Promise<void>((resolve) => r.#server?.listen(0, '127.0.0.1', resolve));
    r.#port = (r.#server.address() as AddressInfo).port;
    return r;
  }

  /** The URL of `path` on this receiver. */
  url(path: string): string {
    return `http://127.0.0.1:${this.#port}${path}`;
  }

  /** The answers of the next requests to `path`, in order; after them, 200. */
  answer(path: string, ...answers: Answer[]): void {
    this.#answers.set(path, [...(this.#answers.get(path) ?? []), ...answers]);
  }

  /** What `path` received so far. */
  at(path: string): Received[] {
    return this.received.filter((r) => r.path === path);
  }

  /** Resolves once `path` has received `n` requests; rejects after `ms` with what it got. */
  async waitFor(path: string, n: number, ms = 15_000): Promise<Received[]> {
    const deadline = Date.now() + ms;
    while (this.at(path).length < n) {
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`${path} received ${this.at(path).length} of ${n} notifications within ${ms} ms`);
      await new Promise<void>((resolve) => {
        const t = setTimeout(resolve, left);
        this.#waiters.push(() => {
          clearTimeout(t);
          resolve();
        });
      });
    }
    return this.at(path);
  }

  /** Answers every held request with `status`. */
  release(status = 200): void {
    for (const res of this.#held.splice(0)) if (!res.writableEnded) res.writeHead(status).end();
  }

  async close(): Promise<void> {
    this.release(503);
    this.#server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.#server ? this.#server.close(() => resolve()) : resolve()));
  }

  #record(path: string, headers: IncomingHttpHeaders, text: string, res: ServerResponse): void {
    let body: unknown = text;
    try {
      body = JSON.parse(text);
    } catch {
      // kept as text: a test asserting on it will say so
    }
    this.received.push({ path, headers, body, at: Date.now() });
    for (const w of this.#waiters.splice(0)) w();
    const queue = this.#answers.get(path);
    const answer = queue?.shift() ?? 200;
    if (answer === 'hold') this.#held.push(res);
    else res.writeHead(answer).end();
  }
}
