import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256 } from '../../server/lib/ids';
import { auditOf, keyRowOf, setTeamSettings } from '../helpers/fixtures';
import { startGitHubKeys, type GitHubKeysServer } from '../helpers/github-keys';
import { createTeam, startTestServer, type TestServer } from '../helpers/harness';
import { setClock, settleOutbox, until } from '../helpers/notify';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink';

/** GitHub's secret-scanning partner protocol, end to end over HTTP, against a key list served on loopback. */
let sink: SmtpSink;
let github: GitHubKeysServer;
let server: TestServer;
beforeAll(async () => {
  sink = await startSmtpSink();
  github = await startGitHubKeys();
  server = await startTestServer({ label: 'leaks-github', smtpUrl: sink.url, env: { GITHUB_SECRET_SCANNING_KEYS_URL: github.url } });
});
afterAll(async () => {
  await server?.close();
  await github?.stop();
  await sink?.stop();
});

const post = (body: string, headers: Record<string, string>) => fetch(`${server.url}/v1/leaks/github`, { method: 'POST', body, headers });
const verify = async (key: string) =>
  (await fetch(`${server.url}/v1/keys/verify`, { method: 'POST', body: JSON.stringify({ key }), headers: { 'content-type': 'application/json' } })).json();
const report = (tokens: string[], url = 'https://github.com/acme/app/blob/main/.env') =>
  JSON.stringify(tokens.map((token) => ({ token, type: 'keywarden_api_key', url, source: 'content' })));

/** The same key with its last checksum character changed: right shape, wrong checksum. */
const lookAlike = (key: string) => key.slice(0, -1) + (key.endsWith('A') ? 'B' : 'A');

async function teamWithKey(name = 'Leaky') {
  const team = await createTeam(server, name);
  const owner = await team.addUser('owner');
  const created = await owner.api.keys.create.mutate({ teamId: team.teamId, name: 'deploy key' });
  return { team, owner, key: created.key, keyId: created.row.id };
}

describe('POST /v1/leaks/github', () => {
  it('revokes a reported live key (reason leaked) and labels it true_positive, a bad-checksum look-alike false_positive', async () => {
    const { team, owner, key, keyId } = await teamWithKey();
    const fake = lookAlike(key);
    const body = report([key, fake]);
    const res = await post(body, github.headers(body));
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual([
      { token_hash: sha256(key), token_type: 'keywarden_api_key', label: 'true_positive' },
      { token_hash: sha256(fake), token_type: 'keywarden_api_key', label: 'false_positive' },
    ]);
    expect(await verify(key)).toEqual({ valid: false, code: 'REVOKED' });
    const row = await owner.api.keys.lookup.query({ teamId: team.teamId, key });
    expect(row).toMatchObject({ id: keyId, status: 'revoked', revokedReason: 'leaked' });

    // The owner and the admin each get one key_leaked email and notice saying where it was found and what was done.
    await sink.waitFor(() => sink.to(owner.email).length === 1 && sink.to(team.admin.email).length === 1);
    const [mail] = sink.to(owner.email);
    expect(mail!.subject).toBe('Keywarden API key "deploy key" leaked: revoked in team "Leaky"');
    expect(mail!.text).toContain('https://github.com/acme/app/blob/main/.env');
    expect(mail!.text).toContain('GitHub secret scanning');
    for (const user of [owner, team.admin]) {
      const { items } = await user.api.notifications.list.query({ teamId: team.teamId });
      expect(items).toHaveLength(1);
      expect(items[0]).toMatchObject({ kind: 'key_leaked', reason: 'leaked', revokedKeyIds: [keyId], readAt: null });
      expect(items[0]!.message).toContain('https://github.com/acme/app/blob/main/.env');
    }
    // A red badge for both.
    expect(await owner.api.alerts.summary.query()).toMatchObject({ revokedUnread: 1, badge: { color: '#d93025' } });

    const [leaked] = await auditOf(server, team.teamId, 'key.leaked');
    expect(leaked).toMatchObject({ action: 'key.leaked', targets: { ids: [keyId], count: 1 } });
    expect(leaked!.details).toMatchObject({ source: 'github', url: 'https://github.com/acme/app/blob/main/.env', action: 'revoked' });
    expect(await auditOf(server, team.teamId, 'key.revoked')).toMatchObject([{ details: { reason: 'leaked' } }]);

    // The leak record: in the key's row (and so its detail panel) and in the CSV.
    expect((await keyRowOf(server, team.teamId, keyId))!.leaks).toEqual([
      { source: 'github', url: 'https://github.com/acme/app/blob/main/.env', at: expect.any(Date), action: 'revoked' },
    ]);
    const csv = await (await fetch(`${server.url}/v1/teams/${team.teamId}/keys.csv`, { headers: { authorization: `Bearer ${team.admin.token}` } })).text();
    expect(csv).toMatch(/ github https:\/\/github\.com\/acme\/app\/blob\/main\/\.env revoked/);
  });

  it('handles a key reported twice once; a second report from elsewhere only adds to its leak record', async () => {
    const { team, owner, key } = await teamWithKey();
    const body = report([key]);
    for (let i = 0; i < 2; i++) expect((await post(body, github.headers(body))).status).toBe(200);
    const elsewhere = report([key], 'https://github.com/acme/fork/blob/main/.env');
    expect(await (await post(elsewhere, github.headers(elsewhere))).json()).toMatchObject([{ label: 'true_positive' }]);
    await settleOutbox(server);
    expect(sink.to(owner.email)).toHaveLength(1);
    expect((await owner.api.notifications.list.query({ teamId: team.teamId })).items).toHaveLength(1);
    expect(await auditOf(server, team.teamId, 'key.revoked')).toHaveLength(1);
    const leaks = await auditOf(server, team.teamId, 'key.leaked');
    expect(leaks.map((a) => [a.details?.url, a.details?.action])).toEqual([
      ['https://github.com/acme/app/blob/main/.env', 'revoked'],
      ['https://github.com/acme/fork/blob/main/.env', 'none'],
    ]);
  });

  it('answers 401 to a missing or bad signature and changes nothing', async () => {
    const { team, owner, key } = await teamWithKey();
    const body = report([key]);
    const tampered = report([key], 'https://example.test/other');
    const attempts = [
      await post(body, { 'content-type': 'application/json' }),
      await post(body, { ...github.headers(body), 'github-public-key-signature': github.signature(tampered) }),
      await post(body, { ...github.headers(body), 'github-public-key-signature': 'bm90IGEgc2lnbmF0dXJl' }),
      await post(body, { ...github.headers(body), 'github-public-key-identifier': 'unknown-identifier' }),
    ];
    expect(attempts.map((r) => r.status)).toEqual([401, 401, 401, 401]);
    expect(await verify(key)).toMatchObject({ valid: true });
    expect(await auditOf(server, team.teamId, 'key.leaked')).toEqual([]);
    await settleOutbox(server);
    expect(sink.to(owner.email)).toHaveLength(0);
  });

  it('fetches the key list again for an unknown identifier, at most once a minute', async () => {
    const { key } = await teamWithKey();
    const body = report([key]);
    const rotated = github.addKey();
    const before = github.fetches();
    expect((await post(body, github.headers(body, rotated))).status).toBe(401);
    expect(github.fetches()).toBe(before);
    setClock(server, 61_000);
    try {
      expect((await post(body, github.headers(body, rotated))).status).toBe(200);
      expect(github.fetches()).toBe(before + 1);
    } finally {
      setClock(server, 0);
    }
    expect(await verify(key)).toEqual({ valid: false, code: 'REVOKED' });
  });

  it("follows the team's leakResponse: disable (reason leaked) or notify only", async () => {
    const disabling = await teamWithKey('Disabling');
    await setTeamSettings(server, disabling.team, { leakResponse: 'disable' });
    const notifying = await teamWithKey('Notifying');
    await setTeamSettings(server, notifying.team, { leakResponse: 'notify' });
    expect(await notifying.team.admin.api.settings.get.query({ teamId: notifying.team.teamId })).toMatchObject({ leakResponse: 'notify' });
    const body = report([disabling.key, notifying.key]);
    expect((await post(body, github.headers(body))).status).toBe(200);
    expect(await verify(disabling.key)).toEqual({ valid: false, code: 'DISABLED' });
    expect(await disabling.owner.api.keys.lookup.query({ teamId: disabling.team.teamId, key: disabling.key })).toMatchObject({ disabledReason: 'leaked' });
    expect(await verify(notifying.key)).toMatchObject({ valid: true });
    await sink.waitFor(() => sink.to(notifying.owner.email).length === 1 && sink.to(disabling.owner.email).length === 1);
    expect(sink.to(disabling.owner.email)[0]!.subject).toBe('Keywarden API key "deploy key" leaked: disabled in team "Disabling"');
    expect(sink.to(notifying.owner.email)[0]!.subject).toBe('Keywarden API key "deploy key" leaked in team "Notifying"');
    await until(async () => (await notifying.owner.api.notifications.list.query({ teamId: notifying.team.teamId })).items.length === 1);
  });
});
