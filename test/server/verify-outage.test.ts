import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKey } from '../../shared/key-format';
import { createTeam, startTestServer, type TestServer } from '../helpers/harness';
import { startProxiedDatabase, type DbProxy } from '../helpers/db-proxy';
import { verifyKey } from '../helpers/keys';
import { setClock } from '../helpers/notify';

/** The verify path while the database is away: what it can still answer, and that nothing hangs. */
describe('verify during a database outage', () => {
  let proxy: DbProxy;
  let server: TestServer;
  beforeAll(async () => {
    proxy = await startProxiedDatabase();
    server = await startTestServer({ label: 'verify-outage', mongoUri: proxy.uri });
  });
  afterAll(async () => {
    proxy.restore();
    await server.close();
    await proxy.stop();
  });

  it('never fails a verification because "last used" could not be recorded', async () => {
    const team = await createTeam(server);
    const { key, row } = await team.admin.api.keys.create.mutate({ teamId: team.teamId, name: 'busy' });
    expect((await verifyKey(server, key)).valid).toBe(true);
    await server.services.verify.flush();

    // Two minutes on, the next verify wants to record use again — and the database is gone.
    setClock(server, 2 * 60_000);
    proxy.cut();
    expect(await verifyKey(server, key)).toMatchObject({ valid: true, keyId: row.id });
    // The failed write is given up on, not left pending forever.
    await server.services.verify.flush();
    expect(await verifyKey(server, 'kw_definitelynotakey')).toEqual({ valid: false, code: 'MALFORMED' });
  });

  it('answers 503 with a clear message, in bounded time, when it cannot know the answer', async () => {
    proxy.cut();
    const started = Date.now();
    const res = await fetch(`${server.url}/v1/keys/verify`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ key: generateKey() }) });
    expect(res.status).toBe(503);
    expect((await res.json()).message).toMatch(/database (is unavailable|did not answer in time)/);
    expect(Date.now() - started).toBeLessThan(10_000);
    const health = await fetch(`${server.url}/health`);
    expect(health.status).toBe(503);
    expect(await health.json()).toEqual({ ok: false, db: 'unavailable' });
  });
});
