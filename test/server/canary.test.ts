import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKey, parseKey } from '../../shared/key-format';
import { auditOf, keyRowOf, setTeamSettings } from '../helpers/fixtures';
import { createTeam, errorCode, startTestServer, type TestServer } from '../helpers/harness';
import { setClock, settleOutbox, until } from '../helpers/notify';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink';

/** Canary keys: a key nobody should use, whose first use is the alarm. */
let sink: SmtpSink;
let server: TestServer;
beforeAll(async () => {
  sink = await startSmtpSink();
  server = await startTestServer({ label: 'canary', smtpUrl: sink.url, env: { TRUST_PROXY: 'true' } });
});
afterAll(async () => {
  await server?.close();
  await sink?.stop();
});

const verifyFrom = async (key: string, ip: string, userAgent: string, context?: { ip: string }) => {
  const res = await fetch(`${server.url}/v1/keys/verify`, {
    method: 'POST',
    body: JSON.stringify({ key, ...(context ? { context } : {}) }),
    headers: { 'content-type': 'application/json', 'x-forwarded-for': ip, 'user-agent': userAgent },
  });
  return { status: res.status, body: await res.text() };
};

async function teamWithCanary() {
  const team = await createTeam(server, 'Trapped');
  const second = await team.addUser('second-admin', 'admin');
  const member = await team.addUser('member');
  const canary = await team.admin.api.keys.create.mutate({ teamId: team.teamId, name: 'aws-prod-backup', canary: true });
  return { team, second, member, canary };
}

/** Runs `body` with the server's clock early in an hour, so its uses all fall in that hour; gives it the hour's number. */
async function inOneHour<T>(body: (hour: number) => Promise<T>): Promise<T> {
  const hourMs = 60 * 60_000;
  const hour = Math.floor(Date.now() / hourMs) + 1;
  setClock(server, hour * hourMs + 60_000 - Date.now());
  try {
    return await body(hour);
  } finally {
    setClock(server, 0);
  }
}

describe('canary keys', () => {
  it('look exactly like any key, and only admins create them', async () => {
    const { team, member, canary } = await teamWithCanary();
    expect(parseKey(canary.key).ok).toBe(true);
    expect(canary.row).toMatchObject({ status: 'enabled', expiresAt: null, canary: true });
    expect(await errorCode(member.api.keys.create.mutate({ teamId: team.teamId, name: 'mine', canary: true }))).toBe('FORBIDDEN');
    // Listed, with its CANARY tag, among the team's keys for admins; left out of the "My keys" view.
    const listed = await team.admin.api.keys.list.query({ teamId: team.teamId, view: ['enabled'] });
    expect(listed.items.find((k) => k.id === canary.row.id)).toMatchObject({ canary: true });
    expect((await team.admin.api.keys.mine.query({ teamId: team.teamId })).items.map((k) => k.id)).not.toContain(canary.row.id);
    expect(await errorCode(member.api.keys.list.query({ teamId: team.teamId, view: ['enabled'] }))).toBe('FORBIDDEN');
  });

  it('answers NOT_FOUND, exactly like an unknown key, and alerts every admin with the time, source address and user agent', async () => {
    const { team, second, member, canary } = await teamWithCanary();
    // A thief may name any context.ip: the alarm names the address that called verify.
    const trap = await verifyFrom(canary.key, '203.0.113.77', 'curl/8.5.0', { ip: '192.0.2.66' });
    const unknown = await verifyFrom(generateKey(), '203.0.113.77', 'curl/8.5.0', { ip: '192.0.2.66' });
    expect(trap).toEqual({ status: 200, body: '{"valid":false,"code":"NOT_FOUND"}' });
    expect(trap).toEqual(unknown);

    // Within seconds: a notice and an email for each admin, naming the source address.
    for (const admin of [team.admin, second]) {
      const [mail] = await sink.waitFor(() => sink.to(admin.email).length === 1, 30_000).then(() => sink.to(admin.email));
      expect(mail!.subject).toBe('Keywarden canary "aws-prod-backup" was used from 203.0.113.77 in team "Trapped"');
      expect(mail!.text).toContain('curl/8.5.0');
      const { items } = await admin.api.notifications.list.query({ teamId: team.teamId });
      expect(items).toHaveLength(1);
      expect(items[0]).toMatchObject({ kind: 'canary_triggered', keys: [{ id: canary.row.id, name: 'aws-prod-backup' }], readAt: null });
      expect(items[0]!.message).toContain('203.0.113.77');
      expect(await admin.api.alerts.summary.query()).toMatchObject({ badge: { color: '#d93025' } });
    }
    // A member hears nothing of it.
    await settleOutbox(server);
    expect(sink.to(member.email)).toHaveLength(0);
    expect((await member.api.notifications.list.query({ teamId: team.teamId })).items).toHaveLength(0);

    const [audit] = await until(async () => {
      const found = await auditOf(server, team.teamId, 'canary.triggered');
      return found.length > 0 ? found : null;
    });
    expect(audit).toMatchObject({ action: 'canary.triggered', ip: '203.0.113.77', userAgent: 'curl/8.5.0', targets: { ids: [canary.row.id] } });

    // The same source again within the hour raises no second alarm.
    await verifyFrom(canary.key, '203.0.113.77', 'curl/8.5.0');
    await server.services.canary.flush();
    await settleOutbox(server);
    expect(sink.to(team.admin.email)).toHaveLength(1);
  });

  it('raises one alarm per canary and hour however many addresses use it at once, over IPv4 and IPv6', async () => {
    const { team, second, canary } = await teamWithCanary();
    await inOneHour(async () => {
      const sources = Array.from({ length: 50 }, (_, i) => (i % 2 ? `2001:db8::${i.toString(16)}` : `192.0.2.${i + 1}`));
      await Promise.all(sources.map((ip) => verifyFrom(canary.key, ip, 'botnet/1.0')));
      await server.services.canary.flush();
      // Inside the hour: the emails are due at the server's (moved) clock.
      await settleOutbox(server);
    });
    for (const admin of [team.admin, second]) {
      expect(sink.to(admin.email).map((m) => m.subject)).toEqual([expect.stringMatching(/^Keywarden canary "aws-prod-backup" was used from /)]);
      expect((await admin.api.notifications.list.query({ teamId: team.teamId })).items.filter((n) => n.kind === 'canary_triggered')).toHaveLength(1);
    }
    // The hour's record stays bounded whatever the number of addresses.
    const [alarm] = await server.storage.cols.canaryAlarms.find({ keyId: canary.row.id }).toArray();
    expect(alarm!.sources.length).toBeLessThanOrEqual(20);
  });

  it('lists the first 20 addresses of the hour in its record and audit log, then counts the uses from further ones', async () => {
    const { team, canary } = await teamWithCanary();
    const hour = await inOneHour(async (start) => {
      for (let i = 1; i <= 30; i++) {
        await verifyFrom(canary.key, `198.51.100.${i}`, `scanner/${i}`);
        await server.services.canary.flush();
      }
      // A listed address again changes nothing.
      await verifyFrom(canary.key, '198.51.100.3', 'scanner/3');
      await server.services.canary.flush();
      await settleOutbox(server);
      return start;
    });
    const alarm = await server.storage.repos.canaryAlarms.find(`${canary.row.id}:${hour}`);
    expect(alarm?.sources.map((u) => u.ip)).toEqual(Array.from({ length: 20 }, (_, i) => `198.51.100.${i + 1}`));
    expect(alarm?.more).toBe(10);
    expect((await auditOf(server, team.teamId, 'canary.triggered')).map((a) => a.ip).sort()).toEqual(alarm!.sources.map((u) => u.ip).sort());
    const mails = sink.to(team.admin.email);
    expect(mails.map((m) => m.subject)).toEqual(['Keywarden canary "aws-prod-backup" was used from 198.51.100.1 in team "Trapped"']);
    expect(mails[0]!.text).toContain('scanner/1');
  });

  it('reported as leaked, raises its alarm and stays a working trap', async () => {
    const { team, canary } = await teamWithCanary();
    const res = await fetch(`${server.url}/v1/leaks/report`, {
      method: 'POST',
      body: JSON.stringify({ key: canary.key, url: 'https://paste.example/trap' }),
      headers: { 'content-type': 'application/json', 'x-forwarded-for': '198.51.100.9' },
    });
    expect(res.status).toBe(202);
    await sink.waitFor(() => sink.to(team.admin.email).some((m) => m.subject?.includes('198.51.100.9')));
    expect(await keyRowOf(server, team.teamId, canary.row.id)).toMatchObject({ status: 'enabled' });
    expect(await auditOf(server, team.teamId, 'key.revoked')).toEqual([]);
  });

  it('is refused on /v1/me like an unknown key', async () => {
    const { canary } = await teamWithCanary();
    const me = await fetch(`${server.url}/v1/me`, { headers: { authorization: `Bearer ${canary.key}` } });
    expect(me.status).toBe(401);
    expect(await me.json()).toMatchObject({ code: 'NOT_FOUND' });
  });

  it('is never expired by an expiry policy', async () => {
    const { team, canary } = await teamWithCanary();
    const plain = await team.admin.api.keys.create.mutate({ teamId: team.teamId, name: 'plain' });
    const applied = await setTeamSettings(server, team, { maxLifetimeDays: 1 });
    expect(applied.policy).toEqual({ changed: 1, expireNow: 0 });
    expect(await keyRowOf(server, team.teamId, canary.row.id)).toMatchObject({ expiresAt: null, status: 'enabled', canary: true });
    expect((await keyRowOf(server, team.teamId, plain.row.id))!.expiresAt).not.toBeNull();
    // A canary asked for under a policy still never expires.
    const later = await team.admin.api.keys.create.mutate({ teamId: team.teamId, name: 'later trap', canary: true });
    expect(later.row.expiresAt).toBeNull();
  });
});
