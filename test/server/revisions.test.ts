import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/harness';

/**
 * Revisions are counters: every bump, from any instance, moves the number on by one, so the
 * sequence strictly increases (the change feed of a later issue builds on it).
 */
let a: TestServer;
let b: TestServer;

beforeAll(async () => {
  a = await startTestServer({ label: 'revisions' });
  b = await startTestServer({ label: 'revisions-b', dbName: a.dbName });
});
afterAll(async () => {
  await b.stop();
  await a.close();
});

describe('revisions', () => {
  it('count every bump of two instances racing, from the very first one', async () => {
    const [ra, rb] = [a.storage.repos.revisions, b.storage.repos.revisions];
    expect(await ra.get('race')).toBe(0);
    // 2 × 10 connections' worth of racing bumps, the first of them creating the document.
    await Promise.all(Array.from({ length: 20 }, (_, i) => (async () => {
      for (let n = 0; n < 25; n++) await (i % 2 ? ra : rb).bump('race');
    })()));
    expect(await ra.get('race')).toBe(500);
    expect(await rb.get('race')).toBe(500);
  });

  it('only ever increase as seen by a reader polling while others bump', async () => {
    const seen: number[] = [];
    let bumping = true;
    const reader = (async () => {
      while (bumping) seen.push(await b.storage.repos.revisions.get('polled'));
    })();
    await Promise.all([1, 2, 3, 4].map(async () => {
      for (let n = 0; n < 30; n++) await a.storage.repos.revisions.bump('polled');
    }));
    bumping = false;
    await reader;
    seen.push(await b.storage.repos.revisions.get('polled'));
    for (let i = 1; i < seen.length; i++) expect(seen[i]).toBeGreaterThanOrEqual(seen[i - 1]!);
    expect(seen.at(-1)).toBe(120);
  });

  it('carry on from a revision written before counters (a random token)', async () => {
    await a.storage.database.db.collection('revisions').insertOne({ _id: 'legacy' as never, v: '9f86d081884c7d65' });
    expect(await a.storage.repos.revisions.get('legacy')).toBe(0);
    await b.storage.repos.revisions.bump('legacy');
    expect(await a.storage.repos.revisions.get('legacy')).toBe(1);
  });
});
