import { createHash } from 'node:crypto';
import { MongoClient, type Collection, type Document, type Filter, type Sort } from 'mongodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KeySort, KeyStatus } from '../../shared/schemas/key';
import type { Collections } from '../../server/db/collections';
import { keyListQuery, type KeyListSpec } from '../../server/db/key-list-query';
import { keysRepo } from '../../server/db/keys.repo';
import type { StoredKey } from '../../server/db/key-lists';
import { newestFirst } from '../../server/db/keyset';
import { startFerretdbVariant, type FerretdbVariant } from '../helpers/ferretdb-variant';

/**
 * tools/ferretdb/sqlite-sort-pushdown.patch (ORDER.md) reads a sorted, limited
 * find in order from an index and stops at the page, and tests literal text
 * searches inside SQLite. Two servers from the same build, one started with
 * the patch off (`-order-pushdown= -text-pushdown=`), get the same documents
 * and every list query, page after page, and must answer alike.
 */
let on: FerretdbVariant;
let off: FerretdbVariant;
let clients: MongoClient[] = [];
type Doc = Document & { _id: string };
const cols: Record<'keys' | 'audit' | 'usage', [Collection<Doc>, Collection<Doc>]> = {} as never;

const now = new Date();
const MIN = 60_000;
const idOf = (t: string, i: number) => createHash('sha256').update(`${t}_${i}`).digest('hex');
const NAMES = ['Deploy', 'CI runner', 'metrics', 'Kelvin \u212Aey', 'ſtaging', 'a.b*c (x)', 'ÜBER', '100% off_'];

function keyDocs(): Doc[] {
  const out: Doc[] = [];
  for (const teamId of ['team_a', 'team_b']) {
    for (let i = 0; i < 90; i++) {
      const name = `${NAMES[i % NAMES.length]} ${i}`;
      out.push({
        _id: idOf(teamId, i),
        id: `key_${teamId}_${String(i).padStart(3, '0')}`,
        teamId,
        ownerId: `usr_${i % 4}`,
        name,
        nameLower: name.toLowerCase(),
        hint: `kw_${['Ab', 'KK', 'ss'][i % 3]}${i % 10}…wxyz`,
        status: (['enabled', 'enabled', 'disabled', 'revoked'] as const)[i % 4],
        // Ties on createdAt (groups of 3) and on lastUsedAt, so cursors land inside runs of equal values.
        createdAt: new Date(now.getTime() - Math.floor(i / 3) * MIN),
        // Some keys expire a few ms from now: between two pages of a walk.
        expiresAt: i % 5 === 0 ? new Date(now.getTime() + (i % 2 ? 1 : -1) * MIN) : i % 7 === 0 ? new Date(now.getTime() + 40 + i) : null,
        lastUsedAt: i % 3 === 0 ? null : new Date(now.getTime() - (i % 11) * MIN),
        ...(i % 13 === 0 ? { canary: true } : {}),
      });
    }
  }
  out.push({ _id: 'no_dates', teamId: 'team_a', id: 'key_zz', ownerId: 'usr_1', status: 'enabled', nameLower: 'deploy odd', hint: 'x' });
  return out;
}

const auditDocs = (): Doc[] =>
  Array.from({ length: 120 }, (_, i) => ({ _id: `aud_${String(i % 40).padStart(3, '0')}_${i}`, teamId: i % 2 ? 'team_a' : 'team_b', at: new Date(now.getTime() - Math.floor(i / 4) * MIN), kind: 'x' }));
const usageDocs = (): Doc[] =>
  Array.from({ length: 150 }, (_, i) => ({ _id: `use_${i}`, teamId: 'team_a', keyId: `key_team_a_00${i % 3}`, hour: new Date(now.getTime() - (i % 50) * 60 * MIN), valid: i, lastValidAt: i % 4 ? new Date(now.getTime() - i * MIN) : null }));

beforeAll(async () => {
  [on, off] = await Promise.all([startFerretdbVariant([]), startFerretdbVariant(['-order-pushdown', '', '-text-pushdown', ''])]);
  clients = await Promise.all([on.uri, off.uri].map((uri) => new MongoClient(uri).connect()));
  for (const [name, docs] of [['keys', keyDocs()], ['audit', auditDocs()], ['usage', usageDocs()]] as const) {
    cols[name] = clients.map((c) => c.db('order').collection<Doc>(name)) as [Collection<Doc>, Collection<Doc>];
    await Promise.all(cols[name].map((c) => c.insertMany(docs)));
  }
});

afterAll(async () => {
  await Promise.all(clients.map((c) => c.close()));
  await Promise.all([on?.stop(), off?.stop()]);
});

async function both<T>(name: keyof typeof cols, read: (c: Collection<Doc>) => Promise<T>): Promise<[T, T]> {
  return Promise.all(cols[name].map(read)) as Promise<[T, T]>;
}

describe('answers with the sort and text pushdown equal FerretDB\'s own', () => {
  it('walks every key list page by page: each sort, view, owner filter and search, with keys expiring between pages', async () => {
    const sorts: KeySort[] = ['newest', 'oldest', 'recently_used'];
    const views: (KeyStatus[] | undefined)[] = [undefined, ['enabled'], ['disabled', 'revoked'], ['revoked']];
    const searches = [undefined, { text: 'deploy' }, { text: 'KEY' }, { text: 'kK' }, { text: 'SS' }, { text: 'a.b*c (' }, { text: 'über' }, { text: '100%' }, { text: 'nothing' }];
    const repos = cols.keys.map((c) => keysRepo({ keys: c } as unknown as Collections));
    let pages = 0;
    for (const sort of sorts)
      for (const view of views)
        for (const ownerIds of [undefined, ['usr_1'], ['usr_1', 'usr_3']])
          for (const search of searches) {
            let after: KeyListSpec['after'] = null;
            for (let page = 0; page < 20; page++) {
              const spec: KeyListSpec = { teamId: 'team_a', sort, view, ownerIds, search, after };
              // The clock moves on between pages, so keys expire between them.
              const at = new Date(now.getTime() + page * 25);
              const [a, b] = (await Promise.all(repos.map((r) => r.list(spec, at, 7)))) as [StoredKey[], StoredKey[]];
              expect([spec, a]).toEqual([spec, b]);
              const { filter, sort: order } = keyListQuery(spec, at);
              const [ra, rb] = await both('keys', (c) => c.find(filter as Filter<Doc>).sort(order).limit(7).toArray());
              expect([spec, ra]).toEqual([spec, rb]);
              pages++;
              if (a.length < 7) break;
              const last = a.at(-1)!;
              after = { createdAt: last.createdAt, lastUsedAt: last.lastUsedAt, id: last.id };
            }
          }
    expect(pages).toBeGreaterThan(400);
  }, 300_000);

  it('walks a member\'s own keys, the audit log and a key\'s usage', async () => {
    const walk = async (name: keyof typeof cols, base: Filter<Doc>, time: string, id: '_id' | 'id', limit: number) => {
      let after: { at: Date; id: string } | null = null;
      let n = 0;
      for (;;) {
        const page = newestFirst(time, id, after);
        const [a, b] = await both(name, (c) => c.find({ ...base, ...page.filter }).sort(page.sort as Sort).limit(limit).toArray());
        expect([base, after, a]).toEqual([base, after, b]);
        n += a.length;
        if (a.length < limit) return n;
        after = { at: a.at(-1)![time] as Date, id: a.at(-1)![id] as string };
      }
    };
    for (const ownerId of ['usr_0', 'usr_2', 'nobody']) await walk('keys', { teamId: 'team_a', ownerId, canary: { $ne: true } }, 'createdAt', 'id', 6);
    expect(await walk('audit', { teamId: 'team_a' }, 'at', '_id', 7)).toBe(60);
    const since = new Date(now.getTime() - 20 * 60 * MIN);
    for (const keyId of ['key_team_a_000', 'key_team_a_002', 'nope']) {
      const [a, b] = await both('usage', (c) => c.find({ teamId: 'team_a', keyId, hour: { $gte: since } }).sort({ _id: 1 }).toArray());
      expect(a).toEqual(b);
      const last = (c: Collection<Doc>) => c.find({ teamId: 'team_a', keyId, hour: { $lt: now }, lastValidAt: { $ne: null } }).sort({ hour: -1, lastValidAt: -1 }).limit(1).toArray();
      const [la, lb] = await both('usage', last);
      expect(la).toEqual(lb);
    }
  });

  it('falls back to FerretDB\'s own order once a page shows a sort field holding another type, which is why fields must hold one', async () => {
    const odd = [{ _id: 'str_date', teamId: 'team_c', createdAt: 'yesterday', id: 'k1' }, { _id: 'num_date', teamId: 'team_c', createdAt: 5, id: 'k2' }, { _id: 'real', teamId: 'team_c', createdAt: now, id: 'k3' }, { _id: 'none', teamId: 'team_c', id: 'k4' }];
    await Promise.all(cols.keys.map((c) => c.insertMany(odd)));
    const read = (dir: 1 | -1, limit: number) => both('keys', (c) => c.find({ teamId: 'team_c' }).sort({ createdAt: dir, id: dir }).limit(limit).toArray());
    for (const [dir, limit] of [[1, 1], [1, 2], [1, 4], [-1, 2], [-1, 4]] as const) {
      const [a, b] = await read(dir, limit);
      expect([dir, limit, a.map((d) => d._id)]).toEqual([dir, limit, b.map((d) => d._id)]);
    }
    // A page of one row cannot show the mix: SQLite orders text after numbers, MongoDB dates after strings.
    const [a, b] = await read(-1, 1);
    expect(a.map((d) => d._id)).toEqual(['str_date']);
    expect(b.map((d) => d._id)).toEqual(['real']);
    await Promise.all(cols.keys.map((c) => c.deleteMany({ teamId: 'team_c' })));
  });

  it('refuses an -order-indexes entry that is not collection:fields', async () => {
    await expect(startFerretdbVariant(['-order-indexes', "keys:teamId') --"])).rejects.toThrow(/-order-indexes/);
  });
});
