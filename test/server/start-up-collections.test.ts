import { afterAll, beforeAll, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/harness';

/**
 * A fresh database holds every collection once the server has started: none is created by its first
 * write while requests run. On FerretDB's SQLite a collection is a table, and a query racing its
 * CREATE TABLE failed with "database schema has changed" (twice in one CI run, at the first requests
 * of a fresh database: a job's first lease, the first team).
 */
let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ label: 'start-up-collections' });
});
afterAll(() => server?.close());

it('creates every collection at start-up, before the first request', async () => {
  const { db } = server.storage.database;
  const names = (await db.listCollections({}, { nameOnly: true }).toArray()).map((c) => c.name);
  const expected = Object.values(server.storage.cols).map((col) => col.collectionName);
  expect(expected.length).toBeGreaterThan(20);
  expect(names).toEqual(expect.arrayContaining(expected));
});
