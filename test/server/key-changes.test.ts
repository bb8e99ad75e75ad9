import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTeam, startTestServer, type TestServer } from '../helpers/harness';
import { DAY_MS } from '../../shared/time';
import { AppError } from '../../server/errors';

/**
 * The change feed, service side, on two instances over one database: every key change is an
 * event with a per-team seq that strictly increases, a reader never skips a number a writer took,
 * and a long poll wakes on another instance's change.
 */
let a: TestServer;
let b: TestServer;

beforeAll(async () => {
  a = await startTestServer({ label: 'key-changes' });
  b = await startTestServer({ label: 'key-changes-b', dbName: a.dbName });
});
afterAll(async () => {
  await b.stop();
  await a.close();
});

const never = new AbortController().signal;
const read = (s: TestServer, teamId: string, after?: number, waitSeconds = 0, signal = never) => s.services.keyChanges.read(teamId, { after, waitSeconds }, signal);

async function goneCode(p: Promise<unknown>): Promise<string> {
  try {
    await p;
  } catch (err) {
    if (err instanceof AppError) return err.code;
    throw err;
  }
  throw new Error('expected GONE, the read succeeded');
}

describe('the key change feed', () => {
  it('lists creation, disable, enable, rotation and revocation in order with increasing seq', async () => {
    const team = await createTeam(a);
    const start = (await read(a, team.teamId)).next;
    const created = await team.admin.api.keys.create.mutate({ teamId: team.teamId, name: 'svc' });
    const id = created.row.id;
    await team.admin.api.keys.disable.mutate({ teamId: team.teamId, keyIds: [id] });
    await team.admin.api.keys.enable.mutate({ teamId: team.teamId, keyIds: [id] });
    const rotated = await team.admin.api.keys.rotate.mutate({ teamId: team.teamId, keyId: id, graceHours: 1 });
    await team.admin.api.keys.revoke.mutate({ teamId: team.teamId, keyIds: [rotated.row.id] });

    const page = await read(b, team.teamId, start);
    expect(page.events.map((e) => [e.keyId, e.kind])).toEqual([
      [id, 'created'],
      [id, 'disabled'],
      [id, 'enabled'],
      [rotated.row.id, 'created'],
      [id, 'rotated'],
      [rotated.row.id, 'revoked'],
    ]);
    const seqs = page.events.map((e) => e.seq);
    for (let i = 1; i < seqs.length; i++) expect(seqs[i]).toBeGreaterThan(seqs[i - 1]!);
    expect(page.next).toBe(seqs.at(-1));
    // Another team's feed holds none of it.
    const other = await createTeam(a, 'Other');
    expect((await read(a, other.teamId, 0)).events).toEqual([]);
  });

  it('lists a policy update of a key as updated', async () => {
    const team = await createTeam(a);
    const created = await team.admin.api.keys.create.mutate({ teamId: team.teamId, name: 'svc' });
    const after = (await read(a, team.teamId)).next;
    await team.admin.api.keys.update.mutate({ teamId: team.teamId, keyId: created.row.id, permissions: ['invoices.read'] });
    expect((await read(b, team.teamId, after)).events).toEqual([expect.objectContaining({ seq: after + 1, keyId: created.row.id, kind: 'updated' })]);
  });

  it("lists a change of a key's limits, and of its identity's meta or limits, as updated: they are part of its verify answer", async () => {
    const team = await createTeam(a);
    const created = await team.admin.api.keys.create.mutate({ teamId: team.teamId, name: 'metered', externalId: 'acme' });
    const other = await team.admin.api.keys.create.mutate({ teamId: team.teamId, name: 'other' });
    const after = (await read(a, team.teamId)).next;
    await team.admin.api.keys.update.mutate({ teamId: team.teamId, keyId: created.row.id, credits: { remaining: 10, refill: null } });
    await team.admin.api.identities.update.mutate({ teamId: team.teamId, externalId: 'acme', meta: { plan: 'pro' } });
    await team.admin.api.identities.update.mutate({ teamId: team.teamId, externalId: 'acme', ratelimits: [{ name: 'burst', limit: 5, durationMs: 1000, autoApply: true }] });
    const events = (await read(b, team.teamId, after)).events;
    expect(events.map((e) => [e.keyId, e.kind])).toEqual([
      [created.row.id, 'updated'],
      [created.row.id, 'updated'],
      [created.row.id, 'updated'],
    ]);
    expect(events.some((e) => e.keyId === other.row.id)).toBe(false);
  });

  it('lists every key holding a role as updated when the role changes or goes', async () => {
    const team = await createTeam(a);
    await team.admin.api.roles.upsert.mutate({ teamId: team.teamId, name: 'reader', permissions: ['docs.read'] });
    const holder = await team.admin.api.keys.create.mutate({ teamId: team.teamId, name: 'holder', roles: ['reader'] });
    const other = await team.admin.api.keys.create.mutate({ teamId: team.teamId, name: 'other' });
    const after = (await read(a, team.teamId)).next;
    await team.admin.api.roles.upsert.mutate({ teamId: team.teamId, name: 'reader', permissions: ['docs.read', 'docs.write'] });
    await team.admin.api.roles.delete.mutate({ teamId: team.teamId, name: 'reader' });
    const events = (await read(b, team.teamId, after)).events;
    expect(events.map((e) => [e.keyId, e.kind])).toEqual([
      [holder.row.id, 'updated'],
      [holder.row.id, 'updated'],
    ]);
    expect(events.some((e) => e.keyId === other.row.id)).toBe(false);
  });

  it('numbers the events of two instances writing at once without a duplicate or a hole', async () => {
    const team = await createTeam(a);
    const writes = Array.from({ length: 40 }, (_, i) => (i % 2 ? a : b).services.keyActions.changed(team.teamId, 'updated', [`key_w${i}`]));
    await Promise.all(writes);
    const page = await read(b, team.teamId, 0);
    expect(page.events.map((e) => e.seq)).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    expect(new Set(page.events.map((e) => e.keyId)).size).toBe(40);
  });

  it('wakes a long poll on one instance when a key is revoked through the other', async () => {
    const team = await createTeam(a);
    const key = await team.admin.api.keys.create.mutate({ teamId: team.teamId, name: 'polled' });
    const after = (await read(b, team.teamId)).next;
    const started = Date.now();
    const waiting = read(b, team.teamId, after, 20);
    await team.admin.api.keys.revoke.mutate({ teamId: team.teamId, keyIds: [key.row.id] });
    const page = await waiting;
    expect(page.events).toEqual([expect.objectContaining({ keyId: key.row.id, kind: 'revoked', seq: after + 1 })]);
    // Woken by its 200 ms poll, well before the 20 s wait ends.
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('stops a long poll when its caller goes away', async () => {
    const team = await createTeam(a);
    const gone = new AbortController();
    const waiting = read(a, team.teamId, undefined, 30, gone.signal);
    gone.abort();
    expect(await waiting).toEqual({ events: [], next: 0 });
  });

  it('never skips a number that was taken but not yet written, and fills a dead writer’s hole', async () => {
    const team = await createTeam(a);
    const cols = a.storage.cols;
    // A writer took number 1 and died before inserting it.
    await cols.revisions.updateOne({ _id: `feed:${team.teamId}` }, { $inc: { seq: 1 } }, { upsert: true });
    await a.services.keyActions.changed(team.teamId, 'revoked', ['key_after']);
    // Right away the reader holds at 0: number 1 may still be coming.
    expect(await read(b, team.teamId, 0)).toEqual({ events: [], next: 0 });
    // Once the hole is old enough it is filled as a gap and the event after it is answered.
    const page = await read(b, team.teamId, 0, 15);
    expect(page.events).toEqual([expect.objectContaining({ seq: 2, keyId: 'key_after', kind: 'revoked' })]);
    expect(page.next).toBe(2);
  });

  it('gives a writer whose number a reader filled as a gap a new number, so its event is kept', async () => {
    const team = await createTeam(a);
    // A reader filled number 1 before its (slow) writer inserted: the writer must take number 2.
    await a.storage.repos.keyChanges.fillGap(team.teamId, 1, new Date());
    await a.services.keyActions.changed(team.teamId, 'disabled', ['key_slow']);
    const page = await read(b, team.teamId, 0);
    expect(page.events).toEqual([expect.objectContaining({ seq: 2, keyId: 'key_slow', kind: 'disabled' })]);
  });

  it('prunes events older than 7 days and answers GONE to a reader behind them', async () => {
    const team = await createTeam(a);
    const repo = a.storage.repos.keyChanges;
    await repo.append(team.teamId, [{ keyId: 'key_old1', kind: 'revoked' }, { keyId: 'key_old2', kind: 'revoked' }], new Date(Date.now() - 8 * DAY_MS));
    await a.services.keyActions.changed(team.teamId, 'enabled', ['key_new']);
    expect((await read(a, team.teamId, 0)).events).toHaveLength(3);
    expect(await a.services.keyChanges.prune()).toBeGreaterThanOrEqual(2);
    expect(await goneCode(read(a, team.teamId, 0))).toBe('GONE');
    expect(await goneCode(read(a, team.teamId, 1))).toBe('GONE');
    expect((await read(a, team.teamId, 2)).events).toEqual([expect.objectContaining({ seq: 3, keyId: 'key_new' })]);
    // A position this feed never had is as good as gone: the reader starts again.
    expect(await goneCode(read(a, team.teamId, 99))).toBe('GONE');
  });
});
