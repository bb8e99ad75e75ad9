import { createServer, request, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A plain HTTP proxy on loopback in front of a Keywarden server, for SDK tests and the SDK
 * benchmark: it counts the requests that pass by path, and can cut the change feed alone
 * (`cutFeed`) while verify still reaches the server. Cutting also ends the feed requests
 * already waiting, as a dropped connection would. `silenceFeed` cuts it the quiet way: feed
 * requests, new and waiting, are held open and never answered, as behind a network that drops
 * packets without telling anyone.
 */
export interface HttpGate {
  url: string;
  /** Requests forwarded so far whose path starts with `prefix`. */
  count(prefix: string): number;
  cutFeed(): void;
  silenceFeed(): void;
  restoreFeed(): void;
  stop(): Promise<void>;
}

const isFeed = (url: string | undefined) => /\/keys\/changes(\?|$)/.test(url ?? '');

export async function startHttpGate(target: string): Promise<HttpGate> {
  const to = new URL(target);
  const paths: string[] = [];
  let feedCut = false;
  let feedSilent = false;
  const waiting = new Set<ServerResponse>();

  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    if (feedCut && isFeed(req.url)) {
      res.socket?.destroy();
      return;
    }
    if (feedSilent && isFeed(req.url)) {
      waiting.add(res);
      return;
    }
    paths.push(req.url ?? '');
    if (isFeed(req.url)) {
      waiting.add(res);
      res.on('close', () => waiting.delete(res));
    }
    const upstream = request(
      { host: to.hostname, port: to.port, method: req.method, path: req.url, headers: req.headers },
      (answer) => {
        if (feedSilent && isFeed(req.url)) {
          answer.resume();
          return;
        }
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => res.socket?.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    count: (prefix) => paths.filter((p) => p.startsWith(prefix)).length,
    cutFeed() {
      feedCut = true;
      for (const res of waiting) res.socket?.destroy();
    },
    silenceFeed() {
      feedSilent = true;
    },
    restoreFeed() {
      feedCut = false;
      if (feedSilent) for (const res of waiting) res.socket?.destroy();
      feedSilent = false;
    },
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
