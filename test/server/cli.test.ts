import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MongoClient } from 'mongodb';
import { afterAll, describe, expect, inject, it } from 'vitest';
import { startTestServer, uniqueDbName } from '../helpers/harness';

const dbName = uniqueDbName('cli');
const cli = (args: string[], env: Record<string, string> = {}) =>
  spawnSync(process.execPath, ['--import', 'tsx', 'server/cli.ts', ...args], {
    encoding: 'utf8',
    env: { ...process.env, MONGODB_URI: inject('mongoUri'), MONGODB_DB: dbName, KEYWARDEN_PEPPER: 'p'.repeat(40), ...env },
  });

afterAll(async () => {
  const client = await MongoClient.connect(inject('mongoUri'));
  await client.db(dbName).dropDatabase();
  await client.close();
});

describe('the bootstrap CLI', () => {
  it('creates a team with its super admin and adds members, printing JSON ids', async () => {
    const init = cli(['init', '--team', 'Platform', '--admin', 'Lead@Example.test', '--json']);
    expect(init.stderr).toBe('');
    expect(init.status).toBe(0);
    const created = JSON.parse(init.stdout.trim());
    expect(created).toEqual({ teamId: expect.stringMatching(/^team_/), userId: expect.stringMatching(/^usr_/) });

    const add = cli(['members', 'add', '--team', created.teamId, '--email', 'dev@example.test', '--role', 'member', '--json']);
    expect(add.status).toBe(0);
    expect(JSON.parse(add.stdout.trim())).toEqual({ teamId: created.teamId, userId: expect.stringMatching(/^usr_/) });

    // Read back through the members service of a server over the same database.
    const reader = await startTestServer({ label: 'cli-reader', dbName });
    try {
      const members = await reader.services.members.list(created.teamId);
      expect(members.map((m) => [m.email, m.role]).sort()).toEqual([['dev@example.test', 'member'], ['lead@example.test', 'super_admin']]);
    } finally {
      await reader.stop();
    }
  });

  it('refuses politely when the email already has that team', () => {
    cli(['init', '--team', 'Twice', '--admin', 'twice@example.test']);
    const again = cli(['init', '--team', 'Twice', '--admin', 'twice@example.test']);
    expect(again.status).toBe(1);
    expect(again.stderr.trim()).toBe('twice@example.test already belongs to a team named "Twice".');
  });

  it('explains bad arguments', () => {
    const bad = cli(['members', 'add', '--team', 'team_x1', '--email', 'nope', '--role', 'owner']);
    expect(bad.status).toBe(1);
    expect(bad.stderr).toMatch(/--email: not a valid email address/);
    expect(bad.stderr).toMatch(/--role/);
  });
});

describe('the CLI beside a running embedded server', () => {
  it('uses the running database instead of opening its files twice', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'keywarden-cli-'));
    const port = String(20000 + Math.floor(Math.random() * 20000));
    const env = { ...process.env, MONGODB_URI: '', DATA_DIR: dataDir, PORT: port, KEYWARDEN_SEED_DEMO: 'false' };
    const server = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], { env, stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      await new Promise<void>((resolve) => server.stdout!.on('data', (d) => String(d).includes('listening on') && resolve()));
      const state = JSON.parse(readFileSync(join(dataDir, 'ferretdb.json'), 'utf8'));
      const init = spawnSync(process.execPath, ['--import', 'tsx', 'server/cli.ts', 'init', '--team', 'Shared', '--admin', 'a@example.test', '--json'], { encoding: 'utf8', env });
      expect(init.status).toBe(0);
      // The CLI did not stop the server's database: it is still the same process, still serving.
      expect(JSON.parse(readFileSync(join(dataDir, 'ferretdb.json'), 'utf8'))).toEqual(state);
      const health = await (await fetch(`http://127.0.0.1:${port}/health`)).json();
      expect(health).toEqual({ ok: true, db: 'ok' });
      const client = await MongoClient.connect(state.uri);
      expect(await client.db('keywarden').collection('teams').countDocuments({ name: 'Shared' })).toBe(1);
      await client.close();
    } finally {
      server.kill('SIGINT');
      await new Promise((r) => server.once('exit', r));
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
