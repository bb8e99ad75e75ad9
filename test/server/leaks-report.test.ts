import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditOf, keyRowOf, setTeamSettings } from '../helpers/fixtures';
import { createTeam, startTestServer, type TestServer } from '../helpers/harness';
import { interruptedFirstReport } from '../helpers/leaks';
import { settleOutbox, until } from '../helpers/notify';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink';

/** The public leak report: anyone may send a key; the answer never says what it was. */
let sink: SmtpSink;
let server: TestServer;
beforeAll(async () => {
  sink = await startSmtpSink();
  // Each test reports from an address of its own (X-Forwarded-For), so their rate budgets stay apart.
  server = await startTestServer({ label: 'leaks-report', smtpUrl: sink.url, env: { TRUST_PROXY: 'true' } });
});
afterAll(async () => {
  await server?.close();
  await sink?.stop();
});

const reportFrom = (ip: string, body: string) =>
  fetch(`${server.url}/v1/leaks/report`, { method: 'POST', body, headers: { 'content-type': 'application/json', 'x-forwarded-for': ip } });
const verify = async (key: string) =>
  (await fetch(`${server.url}/v1/keys/verify`, { method: 'POST', body: JSON.stringify({ key }), headers: { 'content-type': 'application/json' } })).json();

async function answerOf(res: Response) {
  return { status: res.status, type: res.headers.get('content-type'), body: await res.text() };
}

describe('POST /v1/leaks/report', () => {
  it('answers 202 { received: true } identically for a real key, a garbage string and a revoked key; the real key ends revoked', async () => {
    const team = await createTeam(server, 'Reported');
    const owner = await team.addUser('owner');
    const live = await owner.api.keys.create.mutate({ teamId: team.teamId, name: 'live key' });
    const gone = await owner.api.keys.create.mutate({ teamId: team.teamId, name: 'old key' });
    await owner.api.keys.revokeOwn.mutate({ teamId: team.teamId, keyId: gone.row.id });

    const answers = [
      await answerOf(await reportFrom('198.51.100.1', JSON.stringify({ key: live.key, url: 'https://paste.example/abc', note: 'found in a paste' }))),
      await answerOf(await reportFrom('198.51.100.1', JSON.stringify({ key: 'not a key at all' }))),
      await answerOf(await reportFrom('198.51.100.1', JSON.stringify({ key: gone.key, url: 'https://paste.example/def' }))),
      await answerOf(await reportFrom('198.51.100.1', '{"this is": not json')),
    ];
    for (const a of answers) expect(a).toEqual({ status: 202, type: 'application/json', body: '{"received":true}' });

    await until(async () => (await verify(live.key)).code === 'REVOKED');
    expect(await owner.api.keys.lookup.query({ teamId: team.teamId, key: live.key })).toMatchObject({ status: 'revoked', revokedReason: 'leaked' });
    await sink.waitFor(() => sink.to(owner.email).length === 2); // the manual revoke's email, then the leak's
    const leakMail = sink.to(owner.email).find((m) => m.subject?.includes('leaked'));
    expect(leakMail!.text).toContain('public leak report');
    expect(leakMail!.text).toContain('https://paste.example/abc');

    // The revoked key's report only adds to its leak record: audited, no second action, no leak notice.
    const leaks = await until(async () => {
      const found = await auditOf(server, team.teamId, 'key.leaked');
      return found.length === 2 ? found : null;
    });
    expect(leaks.map((a) => [a.targets.ids[0], a.details?.source, a.details?.action]).sort()).toEqual(
      [
        [live.row.id, 'public_report', 'revoked'],
        [gone.row.id, 'public_report', 'none'],
      ].sort(),
    );
    expect(leaks.every((a) => a.ip === '198.51.100.1')).toBe(true);
    await settleOutbox(server);
    expect(sink.to(owner.email)).toHaveLength(2);
  });

  it('finishes a first report whose handling was cut short when the key is reported again', async () => {
    const team = await createTeam(server, 'Interrupted');
    const owner = await team.addUser('owner');
    const created = await owner.api.keys.create.mutate({ teamId: team.teamId, name: 'half-handled' });
    await interruptedFirstReport(server, { id: created.row.id, teamId: team.teamId, ownerId: owner.userId });
    expect((await reportFrom('198.51.100.5', JSON.stringify({ key: created.key }))).status).toBe(202);
    await until(async () => (await verify(created.key)).code === 'REVOKED');
    await sink.waitFor(() => sink.to(owner.email).some((m) => m.subject === 'Keywarden API key "half-handled" leaked: revoked in team "Interrupted"'));
  });

  it('limits reports per address, and the body size', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) statuses.push((await reportFrom('198.51.100.2', JSON.stringify({ key: `kw_${i}` }))).status);
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(202));
    expect(statuses.slice(10)).toEqual([429, 429]);
    // Another address is not held back by the first.
    expect((await reportFrom('198.51.100.3', JSON.stringify({ key: 'kw_x' }))).status).toBe(202);
    const huge = JSON.stringify({ key: 'kw_x', note: 'x'.repeat(8 * 1024) });
    expect((await reportFrom('198.51.100.4', huge)).status).toBe(413);
  });

  it('drops a url that is not a plain http(s) address (the report still counts), and keeps a good one in its parsed form', async () => {
    const team = await createTeam(server, 'Forged urls');
    const owner = await team.addUser('owner');
    const dropped: unknown[] = [
      'https://paste.example/a\r\nFound: https://keywarden.example/reset (forged)',
      'https://paste.example/\u202Egnp.exe',
      'https://paste.example/\u200Fmark',
      'javascript:alert(document.cookie)',
      'file:///etc/passwd',
      `https://paste.example/${'a'.repeat(2049)}`,
      42,
      // An address that reads as another site's (userinfo before the host), or carries someone's password.
      'https://github.com%2Fkeywarden%2Fkeywarden@paste.example/',
      'https://deploy:hunter2@paste.example/raw/1',
    ];
    const keys = [];
    for (const [i, url] of [...dropped, 'http://paste.example/found here?x=1'].entries()) {
      const created = await owner.api.keys.create.mutate({ teamId: team.teamId, name: `reported ${i}` });
      const res = await reportFrom(`198.51.100.${20 + i}`, JSON.stringify({ key: created.key, url }));
      expect(res.status).toBe(202);
      keys.push(created);
    }
    for (const created of keys) await until(async () => (await verify(created.key)).code === 'REVOKED');
    const urls = await Promise.all(keys.map(async (k) => (await keyRowOf(server, team.teamId, k.row.id))!.leaks!.map((l) => l.url ?? null)));
    expect(urls).toEqual([...dropped.map(() => [null]), ['http://paste.example/found%20here?x=1']]);
    // The audit entry is written after the revocation and the leak row, so wait for all of them.
    await until(async () => (await auditOf(server, team.teamId, 'key.leaked')).length === keys.length);
    const audited = await auditOf(server, team.teamId, 'key.leaked');
    expect(audited.map((a) => a.details?.url ?? null).sort()).toEqual([...dropped.map(() => null), 'http://paste.example/found%20here?x=1'].sort());

    await sink.waitFor(() => sink.to(owner.email).some((m) => m.subject === 'Keywarden API key "reported 0" leaked: revoked in team "Forged urls"'));
    const mail = sink.to(owner.email).find((m) => m.subject === 'Keywarden API key "reported 0" leaked: revoked in team "Forged urls"')!;
    expect(mail.text).toContain('Found: no address given');
    expect(mail.text).not.toContain('forged');
  });

  it("drops a url that holds a key (the reported one, or another), so no key's plaintext reaches a row, the audit log or an email", async () => {
    const team = await createTeam(server, 'Key in url');
    const owner = await team.addUser('owner');
    await setTeamSettings(server, team, { leakResponse: 'notify' });
    const reported = await owner.api.keys.create.mutate({ teamId: team.teamId, name: 'pasted' });
    const other = await owner.api.keys.create.mutate({ teamId: team.teamId, name: 'also pasted' });
    const url = `https://paste.example/raw?k=${reported.key}&also=${encodeURIComponent(other.key).replace('kw', '%6B%77')}`;
    expect((await reportFrom('198.51.100.40', JSON.stringify({ key: reported.key, url }))).status).toBe(202);

    await until(async () => ((await keyRowOf(server, team.teamId, reported.row.id))!.leaks ?? []).length > 0);
    expect((await keyRowOf(server, team.teamId, reported.row.id))!.leaks!.map((l) => l.url ?? null)).toEqual([null]);
    await until(async () => (await auditOf(server, team.teamId, 'key.leaked')).length > 0);
    expect((await auditOf(server, team.teamId, 'key.leaked')).map((a) => a.details?.url ?? null)).toEqual([null]);
    const subject = 'Keywarden API key "pasted" leaked';
    await sink.waitFor(() => sink.to(owner.email).some((m) => m.subject?.startsWith(subject)));
    const mail = sink.to(owner.email).find((m) => m.subject?.startsWith(subject))!;
    expect(`${mail.text}${mail.html}`).not.toContain(reported.key.slice(3));
    expect(`${mail.text}${mail.html}`).not.toContain(other.key.slice(5));
  });

  it("keeps no key's plaintext from a reporter's note (which often quotes the key found)", async () => {
    const team = await createTeam(server, 'Key in note');
    const owner = await team.addUser('owner');
    const reported = await owner.api.keys.create.mutate({ teamId: team.teamId, name: 'quoted' });
    const note = `found ${reported.key} in a public paste`;
    expect((await reportFrom('198.51.100.41', JSON.stringify({ key: reported.key, note }))).status).toBe(202);
    await until(async () => (await server.storage.cols.leaks.countDocuments({ keyId: reported.row.id, kind: 'report' })) > 0);
    const stored = JSON.stringify(await server.storage.cols.leaks.find({ keyId: reported.row.id }).toArray());
    expect(stored).not.toContain(reported.key.slice(3));
  });

  it('is named in /.well-known/security.txt', async () => {
    const res = await fetch(`${server.url}/.well-known/security.txt`);
    expect(res.status).toBe(200);
    const text = await res.text();
    expect(text).toContain(`Contact: ${server.deps.config.publicUrl}/v1/leaks/report`);
    expect(text).toMatch(/^Expires: \d{4}-\d\d-\d\dT/m);
  });
});
