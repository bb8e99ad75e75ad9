import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseToken } from '../../shared/key-format';
import { hashKey } from '../../server/lib/ids';
import { auditOf } from '../helpers/fixtures';
import { startGitHubKeys, type GitHubKeysServer } from '../helpers/github-keys';
import { createTeam, startTestServer, type TestServer } from '../helpers/harness';
import { settleOutbox, until } from '../helpers/notify';
import { rest, tokenOf } from '../helpers/rest';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink';
import { startReceiver, type Receiver } from '../helpers/webhook-receiver';

/**
 * A leaked team API token alerts like a leaked key: its creator and every admin of its team get a
 * `token_leaked` notice and email, the team's webhooks a `token.leaked` event; once per token,
 * however many reports arrive, and never with the token's value.
 */
let sink: SmtpSink;
let github: GitHubKeysServer;
let server: TestServer;
const receivers: Receiver[] = [];
beforeAll(async () => {
  sink = await startSmtpSink();
  github = await startGitHubKeys();
  server = await startTestServer({
    label: 'tokens-leak-alerts',
    smtpUrl: sink.url,
    env: { GITHUB_SECRET_SCANNING_KEYS_URL: github.url, TRUST_PROXY: 'true', WEBHOOKS_ALLOW_HTTP_LOOPBACK: 'true' },
  });
});
afterAll(async () => {
  await server?.close();
  await github?.stop();
  await sink?.stop();
  for (const r of receivers) await r.stop();
});

/** A team with a second admin and a member, a token the first admin created, and a webhook receiver for token.leaked. */
async function teamWithToken(name: string) {
  const team = await createTeam(server, name);
  const admin2 = await team.addUser('admin2', 'admin');
  const member = await team.addUser('member');
  const rx = await startReceiver();
  receivers.push(rx);
  await team.admin.api.webhooks.create.mutate({ teamId: team.teamId, url: rx.url, events: ['token.leaked'] });
  const { token, row } = await tokenOf(team.admin, team.teamId, ['keys:read'], 'ci deploy');
  return { team, teamName: name, admin2, member, rx, token, row };
}

const publicReport = (token: string, url: string) =>
  fetch(`${server.url}/v1/leaks/report`, {
    method: 'POST',
    body: JSON.stringify({ key: token, url }),
    headers: { 'content-type': 'application/json', 'x-forwarded-for': '198.51.100.78' },
  });

const gitHubReport = async (token: string, url: string) => {
  const body = JSON.stringify([{ token, type: 'keywarden_api_token', url, source: 'content' }]);
  return fetch(`${server.url}/v1/leaks/github`, { method: 'POST', body, headers: github.headers(body) });
};

async function expectAlertedOnce(t: Awaited<ReturnType<typeof teamWithToken>>, url: string, sourceWords: string) {
  const { team, teamName, admin2, member, rx, token, row } = t;
  await sink.waitFor(() => sink.to(team.admin.email).length >= 1 && sink.to(admin2.email).length >= 1);
  await until(() => rx.receipts.length >= 1);
  await settleOutbox(server);

  // The creator and the other admin: one notice and one email each; the member: nothing.
  for (const [user, creator] of [
    [team.admin, true],
    [admin2, false],
  ] as const) {
    const { items } = await user.api.notifications.list.query({ teamId: team.teamId });
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ kind: 'token_leaked', label: 'Token leaked', reason: 'leaked', revokedKeyIds: [row.id], readAt: null });
    expect(items[0]!.desktopTitle).toBe('An API token of your team leaked');
    expect(items[0]!.message).toMatch(new RegExp(`^API token "ci deploy" leaked: revoked in team "${teamName}"`));
    expect(items[0]!.message).toContain(url);
    expect(items[0]!.message).toContain(sourceWords);
    expect(await user.api.alerts.summary.query()).toMatchObject({ revokedUnread: 1, badge: { color: '#d93025' } });

    const mails = sink.to(user.email);
    expect(mails).toHaveLength(1);
    expect(mails[0]!.subject).toBe(`Keywarden API token "ci deploy" leaked: revoked in team "${teamName}"`);
    expect(mails[0]!.text).toContain(url);
    expect(mails[0]!.text).toContain(creator ? 'you created' : `created by ${team.admin.email}`);
    expect(`${mails[0]!.text}${mails[0]!.html}${JSON.stringify(items)}`).not.toContain(token.slice(4));
  }
  expect((await member.api.notifications.list.query({ teamId: team.teamId })).items).toEqual([]);
  expect(sink.to(member.email)).toHaveLength(0);

  // One webhook event and one leak record, naming the token by id and name, never by value.
  expect(rx.receipts).toHaveLength(1);
  const event = JSON.parse(rx.receipts[0]!.body) as { type: string; data: Record<string, any> };
  expect(event).toMatchObject({ type: 'token.leaked', data: { teamId: team.teamId, reason: 'leaked', token: { id: row.id, name: 'ci deploy', hint: row.hint, createdBy: team.admin.userId } } });
  expect(rx.receipts[0]!.body).not.toContain(token.slice(4));
  expect(await auditOf(server, team.teamId, 'token.leaked')).toHaveLength(1);
  expect(await auditOf(server, team.teamId, 'token.revoked')).toHaveLength(1);
  // tokens.list shows nothing new: the revoked token is simply gone from it.
  expect(await team.admin.api.tokens.list.query({ teamId: team.teamId })).toEqual([]);
}

describe('a leaked token alerts its creator and the team admins', () => {
  it('reported twice through /v1/leaks/report: one notice, one email each, one token.leaked event', async () => {
    const t = await teamWithToken('TokLeakReport');
    const url = 'https://paste.example/t';
    for (let i = 0; i < 2; i++) expect((await publicReport(t.token, url)).status).toBe(202);
    await until(async () => (await rest(server, t.token, 'GET', `/v1/teams/${t.team.teamId}/keys`)).status === 401);
    await until(async () => (await auditOf(server, t.team.teamId, 'token.leaked')).length === 1);
    await expectAlertedOnce(t, url, 'public leak report');
  });

  it('reported twice by GitHub secret scanning: one notice, one email each, one token.leaked event', async () => {
    const t = await teamWithToken('TokLeakGitHub');
    const url = 'https://github.com/acme/app/blob/main/ci.yml';
    for (let i = 0; i < 2; i++) expect((await gitHubReport(t.token, url)).status).toBe(200);
    await expectAlertedOnce(t, url, 'GitHub secret scanning');
  });

  it('finishes the alerts on the next report when the one that revoked the token stopped before them (a crash)', async () => {
    const t = await teamWithToken('TokLeakCrash');
    const url = 'https://paste.example/crash';
    // What a crash right after the revoking write leaves: the token revoked as leaked, no record, no notice.
    const parsed = parseToken(t.token);
    if (!parsed.ok) throw new Error('not a token');
    expect(await server.storage.repos.tokens.revokeByHash(hashKey(server.deps.pepper, parsed.key), server.deps.now(), 'leaked')).not.toBeNull();
    expect(await auditOf(server, t.team.teamId, 'token.leaked')).toHaveLength(0);
    for (let i = 0; i < 2; i++) expect((await publicReport(t.token, url)).status).toBe(202);
    await until(async () => (await auditOf(server, t.team.teamId, 'token.leaked')).length === 1);
    await expectAlertedOnce(t, url, 'public leak report');
  });
});
