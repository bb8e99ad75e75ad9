import { spawnSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { TRPCClientError } from '@trpc/client';
import { MongoClient } from 'mongodb';
import { afterAll, afterEach, beforeAll, describe, expect, inject, it, vi } from 'vitest';
import { consoleLogger, escapeForLog } from '../../server/deps';
import { parseEnv } from '../../server/env';
import { toAppError } from '../../server/errors';
import { startKeywarden } from '../../server/runtime';
import { CONTROL_OR_BIDI } from '../../shared/schemas/common';
import { KeyNameSchema } from '../../shared/schemas/key';
import { MemberNameSchema, TeamNameSchema } from '../../shared/schemas/team';
import { isCommand, startProxiedDatabase, type DbProxy } from '../helpers/db-proxy';
import { createTeam, dropDatabaseAndStop, startTestServer, TEST_PEPPER, trpcClient, uniqueDbName, type TestServer } from '../helpers/harness';
import { countKeysNamed, storedUserByEmail } from '../helpers/fixtures';
import { seedKey } from '../helpers/keys';
import { until } from '../helpers/notify';

/**
 * Item 7 of issue 9: names refuse control and bidi characters, log lines escape
 * them, `expiresAt` has the same 3,650-day cap as `expiresInDays`, and an error
 * after a write never claims that nothing was changed.
 */
const DAY = 86_400_000;
const NAME_REFUSED = 'must not contain control characters or bidi overrides';
const FORGING_NAMES = [
  'ci\nprod',
  'ci\r\n[keywarden] forged line',
  'tab\there',
  'trailing newline\n',
  'nul\u0000',
  'esc \u001b[2J',
  'del\u007f',
  'c1 \u0085 \u009b',
  'invoice\u202Egnp.exe',
  'isolate \u2066x\u2069',
  'line\u2028separator',
];

async function rejection(promise: Promise<unknown>): Promise<{ code: string; status: number; message: string }> {
  const err = await promise.then(
    () => {
      throw new Error('expected the call to fail, but it succeeded');
    },
    (e: unknown) => e,
  );
  if (!(err instanceof TRPCClientError)) throw err;
  const data = err.data as { code: string; httpStatus: number };
  return { code: data.code, status: data.httpStatus, message: err.message };
}

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer({ label: 'input-hygiene' });
});
afterAll(() => server?.close());

describe('names refuse control characters and bidi overrides', () => {
  it('every name schema refuses the whole C0, C1 and bidi override/isolate ranges and accepts their neighbours', () => {
    const refused = [0x00, 0x09, 0x0a, 0x0d, 0x1f, 0x7f, 0x85, 0x9f, 0x2028, 0x2029, 0x202a, 0x202e, 0x2066, 0x2069];
    const accepted = [0x20, 0x7e, 0xa0, 0xe9, 0x200e, 0x2027, 0x202f, 0x2065, 0x206a, 0x0645];
    for (const schema of [KeyNameSchema, TeamNameSchema, MemberNameSchema]) {
      for (const cp of refused) {
        const result = schema.safeParse(`name ${String.fromCodePoint(cp)} here`);
        expect(result.error?.issues.map((i) => i.message), `U+${cp.toString(16)}`).toEqual([NAME_REFUSED]);
      }
      for (const cp of accepted) expect(schema.safeParse(`name ${String.fromCodePoint(cp)} here`).success, `U+${cp.toString(16)}`).toBe(true);
    }
  });

  it('answers keys.create with a 400 that names the field, and creates nothing', async () => {
    const team = await createTeam(server);
    for (const name of FORGING_NAMES) {
      const err = await rejection(team.admin.api.keys.create.mutate({ teamId: team.teamId, name }));
      expect(err).toEqual({ code: 'BAD_REQUEST', status: 400, message: `name: ${NAME_REFUSED}` });
    }
    expect((await team.admin.api.keys.mine.query({ teamId: team.teamId })).items).toEqual([]);
    // Names in any script, with ordinary punctuation, still pass.
    const ok = await team.admin.api.keys.create.mutate({ teamId: team.teamId, name: '  Café – prod ✓ مفتاح  ' });
    expect(ok.row.name).toBe('Café – prod ✓ مفتاح');
  });

  it('answers members.add with a 400 that names the field, and adds nobody', async () => {
    const team = await createTeam(server);
    const email = `eve-${Date.now()}@example.test`;
    for (const name of ['Eve\u202Enimda', 'Eve\n[keywarden] forged']) {
      const err = await rejection(team.admin.api.members.add.mutate({ teamId: team.teamId, email, role: 'member', name }));
      expect(err).toEqual({ code: 'BAD_REQUEST', status: 400, message: `name: ${NAME_REFUSED}` });
    }
    expect(await storedUserByEmail(server, email)).toBeNull();
  });

  it('the CLI refuses such a team or person name before touching the database', async () => {
    const dbName = uniqueDbName('hygienecli');
    const cli = (args: string[]) =>
      spawnSync(process.execPath, ['--import', 'tsx', 'server/cli.ts', ...args], {
        encoding: 'utf8',
        env: { ...process.env, MONGODB_URI: inject('mongoUri'), MONGODB_DB: dbName, KEYWARDEN_PEPPER: 'p'.repeat(40) },
      });
    const team = cli(['init', '--team', 'Platform\n[keywarden] forged', '--admin', 'lead@example.test']);
    expect(team.status).toBe(1);
    expect(team.stderr).toContain(`--team: ${NAME_REFUSED}`);
    const person = cli(['init', '--team', 'Platform', '--admin', 'lead@example.test', '--name', 'Lead\u202E']);
    expect(person.status).toBe(1);
    expect(person.stderr).toContain(`--name: ${NAME_REFUSED}`);
    const client = await MongoClient.connect(inject('mongoUri'));
    try {
      expect(await client.db(dbName).collection('teams').countDocuments()).toBe(0);
      expect(await client.db(dbName).collection('users').countDocuments()).toBe(0);
    } finally {
      await client.db(dbName).dropDatabase();
      await client.close();
    }
  });
});

describe('expiresAt is capped like expiresInDays', () => {
  it('refuses an instant more than 3,650 days ahead with a 400, and accepts one just inside', async () => {
    const team = await createTeam(server);
    for (const expiresAt of [new Date('+275760-09-13T00:00:00.000Z'), new Date(Date.now() + 3650 * DAY + 3_600_000)]) {
      const err = await rejection(team.admin.api.keys.create.mutate({ teamId: team.teamId, name: 'far', expiresAt }));
      expect(err).toEqual({ code: 'BAD_REQUEST', status: 400, message: 'expiresAt: must be at most 3650 days ahead' });
    }
    expect((await team.admin.api.keys.mine.query({ teamId: team.teamId })).items).toEqual([]);
    const inside = new Date(Date.now() + 3650 * DAY - 3_600_000);
    expect((await team.admin.api.keys.create.mutate({ teamId: team.teamId, name: 'near', expiresAt: inside })).row.expiresAt).toEqual(inside);
  });
});

describe('log lines escape user-supplied text', () => {
  afterEach(() => vi.restoreAllMocks());

  const capture = () => {
    const lines: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => void lines.push(args.map(String).join(' ')));
    vi.spyOn(console, 'error').mockImplementation((...args: unknown[]) => void lines.push(args.map(String).join(' ')));
    return lines;
  };
  const forged = (line: string) => new RegExp(CONTROL_OR_BIDI.source).test(line);

  it('escapes control and bidi characters in messages and in error messages', () => {
    const lines = capture();
    consoleLogger.info('key "ci\r\n[keywarden] admin signed in" \u001b[31mred\u202E');
    consoleLogger.error('mail to "x\ny" failed', new Error('boom\n[keywarden] forged\u2066'));
    consoleLogger.error('odd failure', 'not an error\tobject');
    toAppError(new Error('driver said\n[keywarden] forged'));
    expect(lines).toEqual([
      '[keywarden] key "ci\\r\\n[keywarden] admin signed in" \\u001b[31mred\\u202e',
      '[keywarden] mail to "x\\ny" failed: boom\\n[keywarden] forged\\u2066',
      '[keywarden] odd failure: not an error\\tobject',
      '[keywarden] unexpected error: driver said\\n[keywarden] forged',
    ]);
    expect(lines.filter(forged)).toEqual([]);
    expect(escapeForLog('plain text, unchanged: é ✓ مفتاح')).toBe('plain text, unchanged: é ✓ مفتاح');
  });

  it('the dev mailer\'s console summary of a notice about a key with a forging name stays one escaped line', async () => {
    const lines = capture();
    const uri = inject('mongoUri');
    const dbName = uniqueDbName('hygienelog');
    const env = parseEnv({
      MONGODB_URI: uri,
      MONGODB_DB: dbName,
      HOST: '127.0.0.1',
      PORT: '0',
      DATA_DIR: mkdtempSync(join(tmpdir(), 'keywarden-hygiene-')),
      KEYWARDEN_PEPPER: TEST_PEPPER,
      KEYWARDEN_SEED_DEMO: 'false',
    });
    // The production logger, and no SMTP_URL: mail goes to files and a console summary.
    const keywarden = await startKeywarden(env, { log: consoleLogger, database: { uri, embedded: false, stop: async () => {} }, jobs: false });
    const live: TestServer = {
      ...keywarden,
      dbName,
      client: (token) => trpcClient(keywarden.url, token ?? null),
      close: () => dropDatabaseAndStop(keywarden),
    };
    try {
      const team = await createTeam(live);
      const owner = await team.addUser('owner');
      // A name stored before names were checked: only the log can still defend against it.
      const key = await seedKey(live, { teamId: team.teamId, ownerId: owner.userId, name: 'legacy\n[keywarden] admin@example.test signed in\u001b[2J\u202E' });
      await team.admin.api.keys.revoke.mutate({ teamId: team.teamId, keyIds: [key.id] });
      const summary = await until(() => lines.find((l) => l.includes('[mail] to') && l.includes(owner.email)), 30_000);
      expect(summary).toContain('legacy\\n[keywarden] admin@example.test signed in\\u001b[2J\\u202e');
      expect(lines.filter(forged)).toEqual([]);
    } finally {
      await live.close();
    }
  });
});

describe('an error after the key was written', () => {
  let proxy: DbProxy;
  let cuttable: TestServer;
  beforeAll(async () => {
    proxy = await startProxiedDatabase();
    cuttable = await startTestServer({ label: 'hygiene-outage', mongoUri: proxy.uri });
  });
  afterAll(async () => {
    await cuttable?.close();
    await proxy?.stop();
  });
  afterEach(() => proxy.restore());

  const keysNamed = (teamId: string, name: string) => countKeysNamed(cuttable, teamId, name);

  it('says the change may or may not have been applied when the database goes away after the insert', async () => {
    const team = await createTeam(cuttable);
    // The audit record never arrives: the key was inserted, the call cannot finish.
    const cut = proxy.cutOn(isCommand('update', 'audit'), 'drop');
    const err = await rejection(team.admin.api.keys.create.mutate({ teamId: team.teamId, name: 'written' }));
    await cut;
    expect(err.code).toBe('SERVICE_UNAVAILABLE');
    expect(err.status).toBe(503);
    expect(err.message).toMatch(/may or may not have been applied; retrying is safe/);
    expect(err.message).not.toMatch(/Nothing was changed/);
    proxy.restore();
    expect(await until(() => keysNamed(team.teamId, 'written').then((n) => ({ n }), () => null), 30_000)).toEqual({ n: 1 });
  });

  it('says so too when the answer to the insert itself is lost', async () => {
    const team = await createTeam(cuttable);
    const cut = proxy.cutOn(isCommand('insert', 'keys'), 'forward');
    const err = await rejection(team.admin.api.keys.create.mutate({ teamId: team.teamId, name: 'maybe' }));
    await cut;
    expect(err).toMatchObject({ code: 'SERVICE_UNAVAILABLE', status: 503 });
    expect(err.message).toMatch(/may or may not have been applied/);
  });

  it('still says nothing was changed when the database goes away before the insert', async () => {
    const team = await createTeam(cuttable);
    const cut = proxy.cutOn(isCommand('find', 'teams'), 'drop');
    const err = await rejection(team.admin.api.keys.create.mutate({ teamId: team.teamId, name: 'never' }));
    await cut;
    expect(err).toMatchObject({ code: 'SERVICE_UNAVAILABLE', status: 503 });
    expect(err.message).toMatch(/Nothing was changed/);
    proxy.restore();
    // Once the driver has reconnected: no key of that name exists.
    expect(await until(() => keysNamed(team.teamId, 'never').then((n) => ({ n }), () => null), 30_000)).toEqual({ n: 0 });
  });
});
