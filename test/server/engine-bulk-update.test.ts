import { MongoClient, type Collection } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFerretdbVariant, type FerretdbVariant } from '../helpers/ferretdb-variant';

/**
 * tools/ferretdb/bulk-update.patch writes an updateMany's documents in transactions of 500 instead of one
 * each. It must change nothing else: the same calls, sent to a server with the patch (the default) and one
 * started with `-bulk-update=false` (FerretDB's own loop), leave the same documents and answer the same
 * counts — over several batches, with keys the filter skips, with operators that change nothing, and with an
 * update that fails part-way (the documents changed before the failure are written on both).
 */
type Doc = { _id: string; teamId: string; n: number; status: string; tag?: string | number; at?: Date; gone?: string };

const servers: FerretdbVariant[] = [];
const clients: MongoClient[] = [];
const cols: Collection<Doc>[] = [];

beforeAll(async () => {
  servers.push(...(await Promise.all([startFerretdbVariant([]), startFerretdbVariant(['-bulk-update=false'])])));
  for (const s of servers) {
    const client = await new MongoClient(s.uri).connect();
    clients.push(client);
    cols.push(client.db('engine_bulk_update').collection<Doc>('docs'));
  }
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await Promise.all(servers.map((s) => s.stop()));
});

/** 2,345 documents in two teams, some marked, one with a string `n` (an `$inc` on it fails). */
function seed(): Doc[] {
  return Array.from({ length: 2345 }, (_, i) => ({
    _id: `d${String(i).padStart(5, '0')}`,
    teamId: i % 3 === 0 ? 'b' : 'a',
    n: i,
    status: i % 7 === 0 ? 'revoked' : 'enabled',
    ...(i % 5 === 0 ? { gone: 'x' } : {}),
    ...(i % 11 === 0 ? { tag: 'same' } : {}),
  }));
}

async function sumBelow(c: Collection<Doc>, id: string): Promise<number> {
  return (await c.find({ _id: { $lt: id } }).toArray()).reduce((sum, d) => sum + d.n, 0);
}

/** Runs `call` on both servers and expects the same answer and the same documents after it. */
async function same<T>(call: (c: Collection<Doc>) => Promise<T>): Promise<T> {
  const [on, off] = await Promise.all(cols.map((c) => call(c).then((r) => ({ ok: true as const, r }), (err: Error) => ({ ok: false as const, r: err.message }))));
  expect(on).toEqual(off);
  const [docsOn, docsOff] = await Promise.all(cols.map((c) => c.find({}).sort({ _id: 1 }).toArray()));
  expect(docsOn).toEqual(docsOff);
  return on!.r as T;
}

describe('updateMany with -bulk-update on and off', () => {
  it('changes the same documents and answers the same counts', async () => {
    await same((c) => c.insertMany(seed()).then((r) => r.insertedCount));
    const at = new Date('2026-01-02T03:04:05Z');

    // Over two full batches and a part, with documents the filter skips.
    const revoked = await same((c) => c.updateMany({ teamId: 'a', status: { $ne: 'revoked' } }, { $set: { status: 'revoked', at } }).then((r) => [r.matchedCount, r.modifiedCount]));
    expect(revoked[1]).toBeGreaterThan(1000);
    // Again: every document matches, none changes.
    await same((c) => c.updateMany({ teamId: 'a' }, { $set: { status: 'revoked', at } }).then((r) => [r.matchedCount, r.modifiedCount]));
    // Some change, some do not (already 'same').
    await same((c) => c.updateMany({}, { $set: { tag: 'same' } }).then((r) => [r.matchedCount, r.modifiedCount]));
    // Several operators at once, a field removed where present.
    await same((c) => c.updateMany({ teamId: 'b' }, { $inc: { n: 1000 }, $unset: { gone: '' }, $max: { at } }).then((r) => [r.matchedCount, r.modifiedCount]));
    // Nothing matches.
    await same((c) => c.updateMany({ teamId: 'none' }, { $set: { status: 'x' } }).then((r) => [r.matchedCount, r.modifiedCount]));
  });

  it('writes the documents changed before a failure on both, and fails the same way', async () => {
    await same((c) => c.updateOne({ _id: 'd00700' }, { $set: { tag: 'text' } }).then((r) => r.modifiedCount));
    await same((c) => c.updateOne({ _id: 'd00700' }, { $set: { n: 'text' as unknown as number } }).then((r) => r.modifiedCount));
    const before = await sumBelow(cols[0]!, 'd00700');
    // `$inc` of a string fails at d00700: the 700 documents before it (in `_id` order) are changed on both.
    const failed = await same((c) => c.updateMany({}, { $inc: { n: 1 } }).then(() => 'no error'));
    expect(failed).not.toBe('no error');
    expect(await sumBelow(cols[0]!, 'd00700')).toBe(before + 700);
  });
});
