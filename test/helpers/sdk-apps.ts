import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { serve } from '@hono/node-server';
import express from 'express';
import { Hono } from 'hono';
import type { Keywarden } from '@keywarden/sdk';
import { keyAuth as honoKeyAuth, type KeyAuthVariables } from '@keywarden/sdk/hono';
import { keyAuth as expressKeyAuth } from '@keywarden/sdk/express';

/** A service on loopback that accepts Keywarden keys: the SDK's middleware in a real app. */
export interface KeyedApp {
  url: string;
  stop(): Promise<void>;
}

async function listening(server: Server): Promise<string> {
  if (!server.listening) await new Promise<void>((resolve) => server.once('listening', () => resolve()));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

const closing = (server: Server) => () =>
  new Promise<void>((resolve) => {
    server.closeAllConnections();
    server.close(() => resolve());
  });

/** Hono: `/api/*` behind keyAuth answers `{ keyId }`; `/open` has no middleware. */
export async function startHonoApp(keywarden: Keywarden, options: { permissions?: string; header?: string } = {}): Promise<KeyedApp> {
  const app = new Hono<{ Variables: KeyAuthVariables }>();
  app.use('/api/*', honoKeyAuth({ keywarden, ...options }));
  app.get('/api/hello', (c) => c.json({ keyId: c.get('keywarden').keyId }));
  app.get('/open/hello', (c) => c.json({ keyId: null }));
  const server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 }) as Server;
  return { url: await listening(server), stop: closing(server) };
}

/** Express 5: the same routes. */
export async function startExpressApp(keywarden: Keywarden, options: { permissions?: string; header?: string } = {}): Promise<KeyedApp> {
  const app = express();
  app.use('/api', expressKeyAuth({ keywarden, ...options }));
  app.get('/api/hello', (req, res) => {
    res.json({ keyId: req.keywarden?.keyId });
  });
  const server = app.listen(0, '127.0.0.1');
  return { url: await listening(server), stop: closing(server) };
}
