import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sha256 } from '../../server/lib/ids';
import { parseToken, TOKEN_LENGTH } from '../../shared/key-format';
import { auditOf } from '../helpers/fixtures';
import { startGitHubKeys, type GitHubKeysServer } from '../helpers/github-keys';
import { createTeam, errorCode, startTestServer, type TestServer } from '../helpers/harness';
import { DAY, setClock, until } from '../helpers/notify';
import { tokenOf } from '../helpers/rest';
// Every answer is also checked against the OpenAPI document for its route and status.
import { checkedRest as rest } from '../helpers/openapi';

/** Team API tokens: issued by admins, shown once, stored under the HMAC, and refused (401) once they no longer work. */
let github: GitHubKeysServer;
let server: TestServer;
beforeAll(async () => {
  github = await startGitHubKeys();
  server = await startTestServer({ label: 'tokens', env: { GITHUB_SECRET_SCANNING_KEYS_URL: github.url, TRUST_PROXY: 'true' } });
});
afterAll(async () => {
  await server?.close();
  await github?.stop();
});

const listKeys = (token: string, teamId: string) => rest(server, token, 'GET', `/v1/teams/${teamId}/keys`);

describe('tokens', () => {
  it('issues kwt_ + 30 base62 + a 6-character checksum, shown once: the list, the database and the audit hold only its hint', async () => {
    const team = await createTeam(server, 'Format');
    const created = await tokenOf(team.admin, team.teamId, ['keys:read', 'audit:read'], 'CI', 30);
    expect(created.token).toMatch(/^kwt_[0-9A-Za-z]{36}$/);
    expect(created.token).toHaveLength(TOKEN_LENGTH);
    expect(parseToken(created.token).ok).toBe(true);
    expect(created.row).toMatchObject({ name: 'CI', scopes: ['keys:read', 'audit:read'], createdBy: team.admin.userId, lastUsedAt: null });
    expect(created.row.hint).toBe(`${created.token.slice(0, 8)}…${created.token.slice(-4)}`);
    expect(created.row.expiresAt!.getTime() - created.row.createdAt.getTime()).toBe(30 * DAY);

    const list = await team.admin.api.tokens.list.query({ teamId: team.teamId });
    expect(list).toEqual([created.row]);
    expect(JSON.stringify(list)).not.toContain(created.token);
    const stored = await server.storage.cols.tokens.find({ teamId: team.teamId }).toArray();
    expect(stored).toHaveLength(1);
    expect(JSON.stringify(stored)).not.toContain(created.token.slice(4));
    const [record] = await auditOf(server, team.teamId, 'token.created');
    expect(record).toMatchObject({ actor: { userId: team.admin.userId }, targets: { ids: [created.row.id] }, details: { name: 'CI', scopes: ['keys:read', 'audit:read'] } });
    expect(JSON.stringify(await auditOf(server, team.teamId))).not.toContain(created.token.slice(4));
  });

  it('lets only admins manage tokens: a member is FORBIDDEN, another team NOT_FOUND', async () => {
    const team = await createTeam(server, 'Admins');
    const member = await team.addUser('member');
    const other = await createTeam(server, 'Other');
    const input = { teamId: team.teamId, name: 'nope', scopes: ['keys:read' as const] };
    expect(await errorCode(member.api.tokens.create.mutate(input))).toBe('FORBIDDEN');
    expect(await errorCode(member.api.tokens.list.query({ teamId: team.teamId }))).toBe('FORBIDDEN');
    expect(await errorCode(other.admin.api.tokens.create.mutate(input))).toBe('NOT_FOUND');
    const { row } = await tokenOf(team.admin, team.teamId, ['keys:read']);
    expect(await errorCode(member.api.tokens.revoke.mutate({ teamId: team.teamId, tokenId: row.id }))).toBe('FORBIDDEN');
    expect(await errorCode(other.admin.api.tokens.revoke.mutate({ teamId: other.teamId, tokenId: row.id }))).toBe('NOT_FOUND');
    expect(await team.admin.api.tokens.list.query({ teamId: team.teamId })).toHaveLength(1);
  });

  it('refuses bad input: no scopes, an unknown scope, a repeated scope, a name holding a token', async () => {
    const team = await createTeam(server, 'Input');
    const { token } = await tokenOf(team.admin, team.teamId, ['keys:read']);
    const bad = [
      { name: 'x', scopes: [] },
      { name: 'x', scopes: ['keys:everything'] },
      { name: 'x', scopes: ['keys:read', 'keys:read'] },
      { name: `leaked ${token}`, scopes: ['keys:read'] },
      { name: 'x', scopes: ['keys:read'], expiresInDays: 0 },
    ];
    for (const input of bad) expect(await errorCode(team.admin.api.tokens.create.mutate({ teamId: team.teamId, ...(input as { name: string; scopes: ['keys:read'] }) }))).toBe('BAD_REQUEST');
    expect(await team.admin.api.tokens.list.query({ teamId: team.teamId })).toHaveLength(1);
  });

  it('records when a token was last used', async () => {
    const team = await createTeam(server, 'LastUsed');
    const { token, row } = await tokenOf(team.admin, team.teamId, ['keys:read']);
    expect((await listKeys(token, team.teamId)).status).toBe(200);
    const [listed] = await team.admin.api.tokens.list.query({ teamId: team.teamId });
    expect(listed!.id).toBe(row.id);
    expect(listed!.lastUsedAt).toBeInstanceOf(Date);
  });

  it('answers 401 for a revoked token, and revoking is audited and idempotent', async () => {
    const team = await createTeam(server, 'Revoked');
    const { token, row } = await tokenOf(team.admin, team.teamId, ['keys:read']);
    expect((await listKeys(token, team.teamId)).status).toBe(200);
    expect(await team.admin.api.tokens.revoke.mutate({ teamId: team.teamId, tokenId: row.id })).toEqual({ revoked: true });
    expect(await team.admin.api.tokens.revoke.mutate({ teamId: team.teamId, tokenId: row.id })).toEqual({ revoked: false });
    const answer = await listKeys(token, team.teamId);
    expect(answer.status).toBe(401);
    expect(answer.headers.get('www-authenticate')).toMatch(/^Bearer/);
    expect(await team.admin.api.tokens.list.query({ teamId: team.teamId })).toEqual([]);
    const records = await auditOf(server, team.teamId, 'token.revoked');
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ actor: { userId: team.admin.userId }, targets: { ids: [row.id] }, details: { reason: 'manual' } });
  });

  it('answers 401 for an expired token', async () => {
    const team = await createTeam(server, 'Expired');
    const { token } = await tokenOf(team.admin, team.teamId, ['keys:read'], 'short', 1);
    expect((await listKeys(token, team.teamId)).status).toBe(200);
    try {
      setClock(server, DAY + 60_000);
      expect((await listKeys(token, team.teamId)).status).toBe(401);
    } finally {
      setClock(server, 0);
    }
    expect((await listKeys(token, team.teamId)).status).toBe(200);
  });

  it('revokes for good the tokens of a creator who stops being an admin, or leaves the team: they do not work again when the creator comes back', async () => {
    const team = await createTeam(server, 'Demoted');
    const admin = await team.addUser('second-admin', 'admin');
    const { token, row } = await tokenOf(admin, team.teamId, ['keys:read']);
    expect((await listKeys(token, team.teamId)).status).toBe(200);
    await team.admin.api.members.setRole.mutate({ teamId: team.teamId, userId: admin.userId, role: 'member' });
    expect((await listKeys(token, team.teamId)).status).toBe(401);
    await team.admin.api.members.setRole.mutate({ teamId: team.teamId, userId: admin.userId, role: 'admin' });
    expect((await listKeys(token, team.teamId)).status).toBe(401);
    expect((await team.admin.api.tokens.list.query({ teamId: team.teamId })).map((t) => t.id)).not.toContain(row.id);
    const [revoked] = await auditOf(server, team.teamId, 'token.revoked');
    expect(revoked).toMatchObject({ targets: { ids: [row.id] }, details: { reason: 'creator_left' } });

    // Removed and invited back: the token made before stays revoked too.
    const second = (await tokenOf(admin, team.teamId, ['keys:read'])).token;
    await team.admin.api.members.remove.mutate({ teamId: team.teamId, userId: admin.userId });
    expect((await listKeys(second, team.teamId)).status).toBe(401);
    await team.admin.api.members.add.mutate({ teamId: team.teamId, email: admin.email, role: 'admin' });
    expect((await listKeys(second, team.teamId)).status).toBe(401);
  });
});

describe('leaked tokens', () => {
  it('revokes a token reported through /v1/leaks/report, audited with the source, and still answers 202 alike', async () => {
    const team = await createTeam(server, 'LeakReport');
    const { token, row } = await tokenOf(team.admin, team.teamId, ['keys:read']);
    const res = await fetch(`${server.url}/v1/leaks/report`, {
      method: 'POST',
      body: JSON.stringify({ key: token, url: 'https://paste.example/t' }),
      headers: { 'content-type': 'application/json', 'x-forwarded-for': '198.51.100.77' },
    });
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({ received: true });
    await until(async () => (await listKeys(token, team.teamId)).status === 401);
    const [record] = await until(async () => {
      const found = await auditOf(server, team.teamId, 'token.revoked');
      return found.length === 1 ? found : null;
    });
    expect(record).toMatchObject({ targets: { ids: [row.id] }, details: { reason: 'leaked', source: 'public_report', url: 'https://paste.example/t' } });
  });

  it("revokes a token GitHub's secret scanning reports as keywarden_api_token, labelling it true_positive", async () => {
    const team = await createTeam(server, 'LeakGitHub');
    const { token } = await tokenOf(team.admin, team.teamId, ['keys:read']);
    const fake = token.slice(0, -1) + (token.endsWith('A') ? 'B' : 'A');
    const body = JSON.stringify([token, fake].map((t) => ({ token: t, type: 'keywarden_api_token', url: 'https://github.com/acme/app/blob/main/ci.yml', source: 'content' })));
    const res = await fetch(`${server.url}/v1/leaks/github`, { method: 'POST', body, headers: github.headers(body) });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual([
      { token_hash: sha256(token), token_type: 'keywarden_api_token', label: 'true_positive' },
      { token_hash: sha256(fake), token_type: 'keywarden_api_token', label: 'false_positive' },
    ]);
    expect((await listKeys(token, team.teamId)).status).toBe(401);
    expect(await auditOf(server, team.teamId, 'token.revoked')).toMatchObject([{ details: { reason: 'leaked', source: 'github' } }]);
  });

  it("revokes a token the extension's leak guard reports", async () => {
    const team = await createTeam(server, 'LeakGuard');
    const member = await team.addUser('member');
    const { token } = await tokenOf(team.admin, team.teamId, ['keys:read']);
    expect(await member.api.leaks.report.mutate({ teamId: team.teamId, key: token, url: 'https://chat.example/room' })).toEqual({ received: true });
    expect((await listKeys(token, team.teamId)).status).toBe(401);
    expect(await auditOf(server, team.teamId, 'token.revoked')).toMatchObject([{ actor: { userId: member.userId }, details: { reason: 'leaked', source: 'extension' } }]);
  });
});
