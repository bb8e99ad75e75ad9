import { createServer, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Receipt {
  headers: IncomingHttpHeaders;
  body: string;
  status: number;
}

/**
 * A real HTTP receiver on loopback. It answers with the queued statuses in
 * order, then with `fallback` (200); every request is kept, whatever it was answered.
 */
export async function startReceiver(path = '/hook') {
  const receipts: Receipt[] = [];
  const queue: number[] = [];
  let fallback = 200;
  let delayMs = 0;
  /** Requests whose answer has not gone out yet. */
  let open = 0;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const status = req.url === path ? (queue.shift() ?? fallback) : 404;
      receipts.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), status });
      open++;
      const answer = () => {
        open--;
        res.writeHead(status, { 'content-type': 'text/plain' }).end(status < 300 ? 'ok' : 'no');
      };
      if (delayMs > 0) setTimeout(answer, delayMs).unref();
      else answer();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}${path}`,
    receipts,
    /** Answers the next requests with these statuses, in order. */
    answer(...statuses: number[]) {
      queue.push(...statuses);
    },
    setFallback(status: number) {
      fallback = status;
    },
    /** Answers every later request only after `ms` (a slow endpoint). */
    answerAfter(ms: number) {
      delayMs = ms;
    },
    /** Requests received and not answered yet. */
    inFlight: () => open,
    /** Receipts whose JSON body is of `type`. */
    of(type: string) {
      return receipts.filter((r) => {
        try {
          return JSON.parse(r.body).type === type;
        } catch {
          return false;
        }
      });
    },
    /** Cuts the connections of answers still held back, so a slow receiver stops at once. */
    stop: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
export type Receiver = Awaited<ReturnType<typeof startReceiver>>;
