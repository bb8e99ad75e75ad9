import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { KeyRow } from '../../shared/schemas/key';
import { hashKey } from '../../server/lib/ids';
import { createTeam, startTestServer, trpcClient, type TestServer, type TestUser } from '../helpers/harness';
import { auditOf } from '../helpers/fixtures';
import { HOUR, seedKey } from '../helpers/keys';

/** The audit log (list, cursor, what is recorded) and the CSV exports of keys and audit. */
let server: TestServer;
let teamId: string;
let admin: TestUser;
let member: TestUser;
let outsider: TestUser;
const values: string[] = [];

beforeAll(async () => {
  server = await startTestServer({ label: 'admin-audit-csv' });
  const team = await createTeam(server);
  teamId = team.teamId;
  admin = { ...team.admin, api: trpcClient(server.url, team.admin.token, { 'user-agent': 'kw-audit-test/1.0' }) };
  member = await team.addUser('member');
  outsider = (await createTeam(server, 'Other')).admin;
  const names = ['plain', 'comma, inside', 'say "hi"', 'two\nlines', 'ünïcödé ☃', '=HYPERLINK("http://evil")', '-1+1'];
  for (const [i, name] of names.entries()) {
    const k = await seedKey(server, { teamId, ownerId: i % 2 ? member.userId : admin.userId, name, lastUsedAt: i % 3 ? new Date() : null, status: i === 3 ? 'disabled' : 'enabled' });
    values.push(k.value);
  }
  values.push((await seedKey(server, { teamId, ownerId: member.userId, name: 'expired', expiresAt: new Date(Date.now() - HOUR) })).value);
});
afterAll(() => server.close());

const get = (path: string, token?: string | null) => fetch(`${server.url}${path}`, { headers: token ? { authorization: `Bearer ${token}` } : {} });
const parseCsv = (text: string) => parse(text, { columns: true, skip_empty_lines: true }) as Record<string, string>[];
const iso = (d: Date | null) => (d ? d.toISOString() : '');
const unformula = (s: string) => (/^[=+\-@\t\r]/.test(s) ? `'${s}` : s);

async function allRows(): Promise<KeyRow[]> {
  const rows: KeyRow[] = [];
  let cursor: string | undefined;
  do {
    const page = await admin.api.keys.list.query({ teamId, view: ['enabled', 'disabled', 'revoked'], sort: 'newest', limit: 3, cursor });
    rows.push(...page.items);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return rows;
}

describe('audit.list', () => {
  it('records every admin action with actor, role, targets, IP and user agent', async () => {
    const created = await admin.api.keys.create.mutate({ teamId, name: 'audited' });
    await admin.api.keys.disable.mutate({ teamId, keyIds: [created.row.id] });
    await admin.api.keys.enable.mutate({ teamId, keyIds: [created.row.id] });
    await admin.api.keys.revoke.mutate({ teamId, keyIds: [created.row.id] });
    await admin.api.settings.update.mutate({ teamId, expiryWarningDays: [3] });
    await admin.api.settings.update.mutate({ teamId, maxLifetimeDays: 365 });
    const added = await admin.api.members.add.mutate({ teamId, email: 'temp@example.test', role: 'member' });
    await admin.api.members.setRole.mutate({ teamId, userId: added.userId, role: 'admin' });
    await admin.api.members.remove.mutate({ teamId, userId: added.userId });

    const { items } = await admin.api.audit.list.query({ teamId, limit: 200 });
    const actions = items.map((a) => a.action);
    for (const action of ['key.created', 'key.disabled', 'key.enabled', 'key.revoked', 'settings.updated', 'policy.applied', 'member.added', 'member.role_changed', 'member.removed']) {
      expect(actions).toContain(action);
    }
    const revoked = items.find((a) => a.action === 'key.revoked')!;
    expect(revoked).toMatchObject({ actor: { userId: admin.userId, email: admin.email, role: 'super_admin' }, targets: { ids: [created.row.id], count: 1 }, userAgent: 'kw-audit-test/1.0' });
    expect(revoked.ip).toMatch(/127\.0\.0\.1|::1/);
    expect(Object.keys(revoked).sort()).toEqual(['action', 'actor', 'at', 'details', 'id', 'ip', 'targets', 'userAgent']);
  });

  it('pages newest first with a cursor, each record exactly once', async () => {
    const total = (await auditOf(server, teamId)).length;
    const seen: { id: string; at: Date }[] = [];
    let cursor: string | undefined;
    do {
      const page = await admin.api.audit.list.query({ teamId, limit: 4, cursor });
      seen.push(...page.items);
      cursor = page.nextCursor ?? undefined;
      await admin.api.settings.update.mutate({ teamId, allowMemberKeyGeneration: seen.length % 2 === 0 });
    } while (cursor);
    expect(seen.length).toBeGreaterThanOrEqual(total);
    expect(new Set(seen.map((s) => s.id)).size).toBe(seen.length);
    for (let i = 1; i < seen.length; i++) expect(seen[i - 1]!.at.getTime()).toBeGreaterThanOrEqual(seen[i]!.at.getTime());
  });
});

describe('CSV exports', () => {
  it('exports the key inventory that parses back to the rows of keys.list, quoting included', async () => {
    const res = await get(`/v1/teams/${teamId}/keys.csv`, admin.token);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(res.headers.get('content-disposition')).toMatch(/attachment; filename="keywarden-keys-/);
    const text = await res.text();
    expect(text.split('\r\n')[0]).toBe('id,name,hint,status,revokedReason,disabledReason,createdAt,expiresAt,revokedAt,lastUsedAt,generatedByUserId,generatedByEmail,generatedByName,generatedByRole,canary,leaks,permissions,roles,restrictionsIps,restrictionsOrigins,meta,externalId,ratelimits,creditsRemaining,creditsRefill');
    const rows = await allRows();
    expect(parseCsv(text)).toEqual(
      rows.map((r) => ({
        id: r.id,
        name: unformula(r.name),
        hint: r.hint,
        status: r.status,
        revokedReason: r.revokedReason ?? '',
        disabledReason: r.disabledReason ?? '',
        createdAt: iso(r.createdAt),
        expiresAt: iso(r.expiresAt),
        revokedAt: iso(r.revokedAt),
        lastUsedAt: iso(r.lastUsedAt),
        generatedByUserId: r.generatedBy.userId,
        generatedByEmail: r.generatedBy.email,
        generatedByName: r.generatedBy.name,
        generatedByRole: r.generatedBy.role ?? '',
        canary: '',
        leaks: '',
        permissions: '',
        roles: '',
        restrictionsIps: '',
        restrictionsOrigins: '',
        meta: '',
        externalId: '',
        ratelimits: '',
        creditsRemaining: '',
        creditsRefill: '',
      })),
    );
    expect(rows.map((r) => r.name)).toEqual(expect.arrayContaining(['two\nlines', 'say "hi"', 'comma, inside']));
    for (const value of values) {
      expect(text).not.toContain(value);
      expect(text).not.toContain(hashKey(server.deps.pepper, value));
    }
  });

  it('exports the audit log, newest first, matching audit.list', async () => {
    const res = await get(`/v1/teams/${teamId}/audit.csv`, admin.token);
    expect(res.status).toBe(200);
    const rows = parseCsv(await res.text());
    const { items } = await admin.api.audit.list.query({ teamId, limit: 200 });
    expect(rows.map((r) => r.id)).toEqual(items.map((i) => i.id));
    const first = items[0]!;
    expect(rows[0]).toMatchObject({ at: first.at.toISOString(), action: first.action, actorEmail: first.actor.email ?? '', targetCount: String(first.targets.count) });
    expect(JSON.parse(rows[0]!.details!)).toEqual(first.details);
  });

  it('streams a large export in chunks', async () => {
    const team = await createTeam(server, 'Big');
    for (let i = 0; i < 600; i += 50) await Promise.all(Array.from({ length: 50 }, () => seedKey(server, { teamId: team.teamId, ownerId: team.admin.userId })));
    const res = await get(`/v1/teams/${team.teamId}/keys.csv`, team.admin.token);
    expect(res.headers.get('transfer-encoding')).toBe('chunked');
    expect(parseCsv(await res.text())).toHaveLength(600);
  });

  it('answers 401 without a valid session, 403 to a member and 404 for another or unknown team', async () => {
    for (const file of ['keys.csv', 'audit.csv']) {
      expect((await get(`/v1/teams/${teamId}/${file}`)).status).toBe(401);
      expect((await get(`/v1/teams/${teamId}/${file}`, 'not-a-session')).status).toBe(401);
      expect((await get(`/v1/teams/${teamId}/${file}`, member.token)).status).toBe(403);
      expect((await get(`/v1/teams/${teamId}/${file}`, outsider.token)).status).toBe(404);
      expect((await get(`/v1/teams/team_doesnotexist/${file}`, admin.token)).status).toBe(404);
      expect((await get(`/v1/teams/..%2Fx/${file}`, admin.token)).status).toBe(404);
    }
  });
});
