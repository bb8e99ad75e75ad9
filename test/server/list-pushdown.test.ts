import { createHash } from 'node:crypto';
import { MongoClient, type Collection, type Document, type Filter } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KeySort, KeyStatus } from '../../shared/schemas/key';
import type { Collections } from '../../server/db/collections';
import { keyListQuery, keyScopeFilter, type KeyListSpec } from '../../server/db/key-list-query';
import { keysRepo } from '../../server/db/keys.repo';
import { startFerretdbVariant, type FerretdbVariant } from '../helpers/ferretdb-variant';

/**
 * tools/ferretdb/sqlite-pushdown.patch lets SQLite pre-select documents by
 * `teamId`, `ownerId` and `_id`; FerretDB applies the whole filter again, so
 * every answer must equal FerretDB's own. Two servers from the same build, one
 * started with `-pushdown=` (the patch off), get the same documents and the
 * same commands, and must answer alike.
 */
let on: FerretdbVariant;
let off: FerretdbVariant;
let clients: MongoClient[] = [];
type Doc = Document & { _id: string };
let withPatch: Collection<Doc>;
let without: Collection<Doc>;

const TEAMS = ['team_a', 'team_b', 'team_ü<&>"\\ \u2028x'];
const now = new Date();
const HOUR = 3_600_000;

/** Key `_id`s are hex hashes, as in production, so reads split in halves by `_id` see both halves. */
const idOf = (t: number, i: number) => createHash('sha256').update(`k_${t}_${i}`).digest('hex');

function docs(): Doc[] {
  const out: Doc[] = [];
  TEAMS.forEach((teamId, t) => {
    for (let i = 0; i < 40; i++) {
      out.push({
        _id: idOf(t, i),
        id: `key_${t}_${String(i).padStart(3, '0')}`,
        teamId,
        ownerId: `usr_${i % 4}`,
        name: `Key ${i} ${['deploy', 'CI', 'metrics'][i % 3]}`,
        nameLower: `key ${i} ${['deploy', 'ci', 'metrics'][i % 3]}`,
        hint: `kw_Ab${i % 10}d…wxyz`,
        status: (['enabled', 'enabled', 'disabled', 'revoked'] as const)[i % 4],
        createdAt: new Date(now.getTime() - (i % 7) * HOUR),
        expiresAt: i % 5 === 0 ? new Date(now.getTime() + (i % 2 ? 1 : -1) * HOUR) : null,
        lastUsedAt: i % 3 === 0 ? null : new Date(now.getTime() - (i % 5) * HOUR),
      });
    }
  });
  // Values the pushdown must not trip on: missing, null, other types.
  out.push({ _id: 'no_team', ownerId: 'usr_1' }, { _id: 'null_team', teamId: null }, { _id: 'num_team', teamId: 42 }, { _id: 'doc_team', teamId: { team: 'team_a' } });
  out.push({ _id: 'null_owner', teamId: 'team_a', ownerId: null, status: 'enabled' });
  return out;
}

beforeAll(async () => {
  [on, off] = await Promise.all([startFerretdbVariant([]), startFerretdbVariant(['-pushdown', ''])]);
  clients = await Promise.all([on.uri, off.uri].map((uri) => new MongoClient(uri).connect()));
  [withPatch, without] = clients.map((c) => c.db('pushdown').collection<Doc>('keys')) as [Collection<Doc>, Collection<Doc>];
  await Promise.all([withPatch.insertMany(docs()), without.insertMany(docs())]);
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await Promise.all([on?.stop(), off?.stop()]);
});

/** The same read on both servers, in a stable order. */
async function both<T>(read: (c: Collection<Doc>) => Promise<T>): Promise<[T, T]> {
  return Promise.all([read(withPatch), read(without)]);
}

const filters: [string, Filter<Doc>][] = [
  ['everything', {}],
  ['one team', { teamId: 'team_a' }],
  ['a team id with quotes, escapes and non-ASCII', { teamId: TEAMS[2] }],
  ['an unknown team', { teamId: 'team_zz' }],
  ['teams $in', { teamId: { $in: ['team_a', 'team_b'] } }],
  ['an empty $in', { teamId: { $in: [] } }],
  ['$in with a non-string', { teamId: { $in: ['team_a', 42] } }],
  ['$eq (not pushed down)', { teamId: { $eq: 'team_b' } }],
  ['a regex (not pushed down)', { teamId: /^team_[ab]$/ }],
  ['null', { teamId: null }],
  ['a number', { teamId: 42 }],
  ['a document', { teamId: { team: 'team_a' } }],
  ['team and owner', { teamId: 'team_a', ownerId: 'usr_1' }],
  ['team and owners $in', { teamId: 'team_b', ownerId: { $in: ['usr_1', 'usr_2'] } }],
  ['owner null', { teamId: 'team_a', ownerId: null }],
  ['an _id', { _id: idOf(0, 3) }],
  ['an _id in its team', { _id: idOf(0, 3), teamId: 'team_a' }],
  ['an _id in another team', { _id: idOf(0, 3), teamId: 'team_b' }],
  ['_id $in', { _id: { $in: [idOf(0, 1), idOf(1, 2), 'nope', 'no_team'] } }],
  ['_id $in with a team', { _id: { $in: [idOf(0, 1), idOf(1, 2)] }, teamId: 'team_a' }],
  ['_id halves', { _id: { $lt: '8' } }],
  ['_id halves with a team', { teamId: 'team_a', _id: { $gte: '8' } }],
  ['_id between bounds', { _id: { $gt: '3', $lte: 'c' } }],
  ['_id range with a non-string bound (not pushed down)', { _id: { $gte: 5 } } as unknown as Filter<Doc>],
  ['a team with $or and $and', { teamId: 'team_a', $or: [{ status: 'revoked' }, { expiresAt: { $lte: now } }], $and: [{ ownerId: { $ne: 'usr_0' } }] }],
];

describe('answers with the pushdown equal FerretDB\'s own', () => {
  it.each(filters)('find, count and aggregate: %s', async (_name, filter) => {
    const [a, b] = await both((c) => c.find(filter).sort({ _id: 1 }).toArray());
    expect(a).toEqual(b);
    const [ca, cb] = await both((c) => c.countDocuments(filter));
    expect(ca).toBe(cb);
    expect(ca).toBe(a.length);
    const [ga, gb] = await both((c) => c.aggregate([{ $match: filter }, { $group: { _id: '$status', n: { $sum: 1 } } }, { $sort: { _id: 1 } }]).toArray());
    expect(ga).toEqual(gb);
  });

  it('returns the same page for every dashboard query', async () => {
    const sorts: KeySort[] = ['newest', 'oldest', 'recently_used'];
    const views: KeyStatus[][] = [['enabled'], ['disabled', 'revoked'], ['enabled', 'disabled', 'revoked']];
    let compared = 0;
    for (const sort of sorts)
      for (const view of views)
        for (const ownerIds of [undefined, ['usr_1', 'usr_3']])
          for (const search of [undefined, { text: 'Deploy' }, { hash: idOf(0, 4) }])
            for (const after of [null, { createdAt: new Date(now.getTime() - 3 * HOUR), lastUsedAt: new Date(now.getTime() - 2 * HOUR), id: 'key_0_020' }]) {
              const spec: KeyListSpec = { teamId: 'team_a', sort, view, ownerIds, search, after };
              const { filter, sort: order } = keyListQuery(spec, now);
              const [a, b] = await both((c) => c.find(filter as Filter<Doc>).sort(order).limit(7).toArray());
              expect([spec, a]).toEqual([spec, b]);
              const [sa, sb] = await both((c) => c.find(keyScopeFilter(spec) as Filter<Doc>, { projection: { _id: 0, status: 1, expiresAt: 1 } }).sort({ id: 1 }).toArray());
              expect(sa).toEqual(sb);
              compared++;
            }
    expect(compared).toBe(108);
  });

  it('updates and deletes the same documents', async () => {
    const [ua, ub] = await both((c) => c.updateMany({ teamId: 'team_b', status: 'enabled' }, { $set: { touched: true } }));
    expect(ua.modifiedCount).toBe(ub.modifiedCount);
    expect(ua.modifiedCount).toBeGreaterThan(0);
    const [da, db] = await both((c) => c.deleteMany({ teamId: 'team_b', ownerId: { $in: ['usr_2'] } }));
    expect(da.deletedCount).toBe(db.deletedCount);
    expect(da.deletedCount).toBeGreaterThan(0);
    const [a, b] = await both((c) => c.find({}).sort({ _id: 1 }).toArray());
    expect(a).toEqual(b);
  });
});

describe('reads split in halves by _id', () => {
  const repo = () => keysRepo({ keys: withPatch } as unknown as Collections);
  const specs = (): KeyListSpec[] =>
    (['newest', 'oldest', 'recently_used'] as const).flatMap((sort) =>
      [undefined, ['usr_2']].flatMap((ownerIds) =>
        [null, { createdAt: new Date(now.getTime() - 3 * HOUR), lastUsedAt: null, id: 'key_0_020' }, { createdAt: new Date(now.getTime() - 3 * HOUR), lastUsedAt: new Date(now.getTime() - 2 * HOUR), id: 'key_0_020' }].map(
          (after) => ({ teamId: 'team_a', sort, ownerIds, after }) as KeyListSpec,
        ),
      ),
    );

  /** Keyset pagination by its definition, as one exact query: value before the cursor's, or the same value and id before. */
  function exactlyAfter(spec: KeyListSpec): Filter<Doc> {
    const { filter } = keyListQuery({ ...spec, after: null }, now);
    const p = spec.after;
    if (!p) return filter as Filter<Doc>;
    const [field, dir] = spec.sort === 'recently_used' ? (['lastUsedAt', -1] as const) : (['createdAt', spec.sort === 'newest' ? -1 : 1] as const);
    const beyond = dir < 0 ? '$lt' : '$gt';
    const value = p[field];
    const after =
      value === null
        ? { lastUsedAt: null, id: { $lt: p.id } }
        : { $or: [{ [field]: { [beyond]: value } }, { [field]: value, id: { [beyond]: p.id } }, ...(field === 'lastUsedAt' ? [{ lastUsedAt: null }] : [])] };
    return { $and: [filter, after] } as Filter<Doc>;
  }

  it('merge into the page one exact query returns, ties at the cursor included', async () => {
    for (const spec of specs()) {
      const whole = await withPatch.find(exactlyAfter(spec)).sort(keyListQuery(spec, now).sort).limit(9).toArray();
      const merged = await repo().list(spec, now, 9);
      expect([spec, merged.map((k) => k.id)]).toEqual([spec, whole.map((d) => d.id)]);
    }
  });

  it('read past many keys sharing the cursor\'s sort value', async () => {
    const tied = { teamId: 'team_tied', createdAt: new Date(now.getTime() - 9 * HOUR), lastUsedAt: null, status: 'enabled', ownerId: 'usr_0' };
    const docs = Array.from({ length: 60 }, (_, i) => ({ ...tied, _id: idOf(9, i), id: `key_t_${String(i).padStart(3, '0')}` }));
    await withPatch.insertMany(docs);
    for (const sort of ['newest', 'oldest', 'recently_used'] as const) {
      const seen: string[] = [];
      let after: KeyListSpec['after'] = null;
      for (;;) {
        const page = await repo().list({ teamId: 'team_tied', sort, after }, now, 7);
        seen.push(...page.map((k) => k.id));
        if (page.length < 7) break;
        const last = page.at(-1)!;
        after = { createdAt: last.createdAt, lastUsedAt: last.lastUsedAt, id: last.id };
      }
      expect([sort, seen]).toEqual([sort, docs.map((d) => d.id).sort((a, b) => (sort === 'oldest' ? (a < b ? -1 : 1) : a < b ? 1 : -1))]);
    }
    await withPatch.deleteMany({ teamId: 'team_tied' });
  });

  it('give the same first page with the statuses of the whole scope', async () => {
    for (const spec of specs().filter((s) => !s.after)) {
      const { page, statuses } = await repo().firstPageWithStatuses(spec, now, 9);
      expect(page.map((k) => k.id)).toEqual((await repo().list(spec, now, 9)).map((k) => k.id));
      const scope = await withPatch.find(keyScopeFilter(spec) as Filter<Doc>).toArray();
      const tally = (rows: Document[]) => rows.map((r) => String(r.status)).sort();
      expect(tally(statuses)).toEqual(tally(scope));
    }
  });
});

describe('the patch is on, and why it is limited to scalar string fields', () => {
  it('misses a document whose pushed-down field holds an array (MongoDB would match it)', async () => {
    await Promise.all([withPatch.insertOne({ _id: 'array_team', teamId: ['team_a'] }), without.insertOne({ _id: 'array_team', teamId: ['team_a'] })]);
    const [a, b] = await both((c) => c.find({ teamId: 'team_a' }, { projection: { _id: 1 } }).toArray());
    const ids = (docs: Doc[]) => docs.map((d) => d._id);
    expect(ids(b)).toContain('array_team');
    expect(ids(a)).not.toContain('array_team');
    await Promise.all([withPatch.deleteOne({ _id: 'array_team' }), without.deleteOne({ _id: 'array_team' })]);
  });

  it('refuses a -pushdown field that is not a plain name', async () => {
    await expect(startFerretdbVariant(['-pushdown', "teamId,x') OR 1=1 --"])).rejects.toThrow(/-pushdown/);
  });
});
