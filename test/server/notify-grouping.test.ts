import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { noticeId } from '../../server/services/notify.service';
import { createTeam, errorCode, startTestServer, type TestServer, type TestUser } from '../helpers/harness';
import { adminActor, issueKey, sleep, until } from '../helpers/notify';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink';

let sink: SmtpSink;
let server: TestServer;
let team: Awaited<ReturnType<typeof createTeam>>;
let owners: TestUser[];
const keysOf = new Map<string, { id: string; name: string; hint: string }[]>();

beforeAll(async () => {
  sink = await startSmtpSink();
  server = await startTestServer({ label: 'notify-grouping', smtpUrl: sink.url });
  team = await createTeam(server, 'Grouping');
  owners = [await team.addUser('ada'), await team.addUser('bob'), await team.addUser('cy')];
  const counts = [15, 15, 10];
  for (const [i, owner] of owners.entries()) {
    const keys = [];
    for (let n = 0; n < counts[i]!; n++) keys.push(await issueKey(server, owner, team.teamId, `${owner.email.split('-')[0]} key ${String(n).padStart(2, '0')}`));
    keysOf.set(owner.userId, keys);
  }
});
afterAll(async () => {
  await server.close();
  await sink.stop();
});

describe('grouped revocation notices', () => {
  let actionId: string;

  it('sends exactly one email and one in-app notice per owner for a bulk revoke of 40 keys', async () => {
    const keyIds = [...keysOf.values()].flat().map((k) => k.id);
    expect(keyIds).toHaveLength(40);
    const result = await server.services.keyActions.run({ teamId: team.teamId, kind: 'revoke', reason: 'bulk', actor: adminActor(team.admin), keyIds });
    actionId = result.actionId;
    expect(result.changed).toHaveLength(40);

    await sink.waitFor((m) => m.length >= 3);
    await sleep(300);
    expect(sink.messages).toHaveLength(3);
    for (const owner of owners) {
      const mails = sink.to(owner.email);
      expect(mails).toHaveLength(1);
      const mail = mails[0]!;
      const keys = keysOf.get(owner.userId)!;
      expect(mail.subject).toBe(`${keys.length} of your Keywarden API keys were revoked`);
      for (const k of keys) {
        expect(mail.text).toContain(k.name);
        expect(mail.text).toContain(k.hint);
        expect(mail.html).toContain(k.hint);
      }
      expect(mail.text).toContain(team.admin.email);
      expect(mail.text).toMatch(/Why: revoked in a bulk action/);
      expect(mail.text).toMatch(/What to do next: .*Generate a new key/);
      expect(mail.text).toMatch(/When: \d{4}-\d\d-\d\d \d\d:\d\d UTC/);
      expect(mail.messageId).toBe(`<${noticeId(`action:${actionId}:${owner.userId}`)}@keywarden>`);
      // Other owners' keys never appear in this owner's email.
      const others = owners.filter((o) => o !== owner).flatMap((o) => keysOf.get(o.userId)!);
      for (const k of others) expect(mail.text).not.toContain(k.hint);

      const { items } = await owner.api.notifications.list.query({});
      expect(items).toHaveLength(1);
      expect(items[0]).toMatchObject({ kind: 'key_revoked', reason: 'bulk', teamId: team.teamId, teamName: 'Grouping', readAt: null });
      expect(items[0]!.actor).toEqual({ userId: team.admin.userId, email: team.admin.email });
      expect(items[0]!.keys.map((k) => k.id).sort()).toEqual(keys.map((k) => k.id).sort());
      expect(items[0]!.revokedKeyIds.sort()).toEqual(keys.map((k) => k.id).sort());
    }
  });

  it('does not notify twice when the action engine delivers the same event again (a retry)', async () => {
    const changed = await server.services.repos.keys.findByAction(actionId);
    await server.services.notify.keysChanged({ actionId, teamId: team.teamId, kind: 'revoked', reason: 'bulk', actor: adminActor(team.admin), keys: changed, at: new Date() });
    await server.services.outbox.drain();
    await sleep(200);
    expect(sink.messages).toHaveLength(3);
    for (const owner of owners) expect((await owner.api.notifications.list.query({})).items).toHaveLength(1);
  });

  it('sends nothing for revoking keys that are already revoked', async () => {
    const keyIds = keysOf.get(owners[0]!.userId)!.map((k) => k.id);
    const result = await server.services.keyActions.run({ teamId: team.teamId, kind: 'revoke', reason: 'bulk', actor: adminActor(team.admin), keyIds });
    expect(result.changed).toHaveLength(0);
    await server.services.outbox.drain();
    expect(sink.messages).toHaveLength(3);
  });
});

describe('whose notices are whose', () => {
  it('never shows a member another member\'s notices, nor lets them mark them read', async () => {
    const [ada, bob] = owners as [TestUser, TestUser];
    const adaNotice = (await ada.api.notifications.list.query({})).items[0]!;
    const bobList = await bob.api.notifications.list.query({ teamId: team.teamId });
    expect(bobList.items.map((n) => n.id)).not.toContain(adaNotice.id);
    expect(await bob.api.notifications.markRead.mutate({ ids: [adaNotice.id] })).toEqual({ updated: 0 });
    expect((await ada.api.notifications.list.query({ unreadOnly: true })).items.map((n) => n.id)).toContain(adaNotice.id);
    expect((await team.admin.api.notifications.list.query({})).items).toEqual([]);
  });

  it('answers NOT_FOUND for a team the caller is not in, and UNAUTHORIZED without a session', async () => {
    const other = await createTeam(server, 'Elsewhere');
    expect(await errorCode(owners[0]!.api.notifications.list.query({ teamId: other.teamId }))).toBe('NOT_FOUND');
    expect(await errorCode(server.client(null).notifications.list.query({}))).toBe('UNAUTHORIZED');
    expect(await errorCode(owners[0]!.api.notifications.markRead.mutate({ ids: [] } as never))).toBe('BAD_REQUEST');
  });

  it('marks read by id or all, only the caller\'s own', async () => {
    const cy = owners[2]!;
    const { items } = await cy.api.notifications.list.query({});
    expect(await cy.api.notifications.markRead.mutate({ ids: [items[0]!.id] })).toEqual({ updated: 1 });
    expect(await cy.api.notifications.markRead.mutate({ all: true })).toEqual({ updated: 0 });
    expect((await cy.api.notifications.list.query({ unreadOnly: true })).items).toEqual([]);
    expect(await owners[1]!.api.notifications.markRead.mutate({ all: true })).toEqual({ updated: 1 });
  });

  it('pages newest first with a cursor', async () => {
    const ada = owners[0]!;
    const more = await issueKey(server, ada, team.teamId, 'ada extra');
    await server.services.keyActions.run({ teamId: team.teamId, kind: 'disable', reason: 'manual', actor: adminActor(team.admin), keyIds: [more.id] });
    const first = await ada.api.notifications.list.query({ limit: 1 });
    expect(first.items[0]).toMatchObject({ kind: 'key_disabled', revokedKeyIds: [] });
    expect(first.nextCursor).toBeTruthy();
    const second = await ada.api.notifications.list.query({ limit: 1, cursor: first.nextCursor! });
    expect(second.items[0]!.kind).toBe('key_revoked');
    expect(second.nextCursor).toBeNull();
    await until(() => sink.to(ada.email).some((m) => m.subject === 'Your Keywarden API key "ada extra" was disabled'));
  });
});

describe('the owner as the actor', () => {
  it('emails the owner who revoked their own key, and files the in-app notice as already read', async () => {
    const dee = await team.addUser('dee');
    const key = await issueKey(server, dee, team.teamId, 'leaked');
    await dee.api.keys.revokeOwn.mutate({ teamId: team.teamId, keyId: key.id });
    const [mail] = await until(() => (sink.to(dee.email).length ? sink.to(dee.email) : null));
    expect(mail!.subject).toBe('Your Keywarden API key "leaked" was revoked');
    expect(mail!.text).toMatch(/^You revoked your API key/);
    const { items } = await dee.api.notifications.list.query({});
    expect(items).toHaveLength(1);
    expect(items[0]!.readAt).not.toBeNull();
  });
});

describe('policy notices', () => {
  it('tells each owner which keys got a shorter expiry and which were revoked at once, in one notice', async () => {
    const eve = await team.addUser('eve');
    const a = await issueKey(server, eve, team.teamId, 'policy a');
    const b = await issueKey(server, eve, team.teamId, 'policy b');
    const keys = await server.services.repos.keys.findManyByPublicIds(team.teamId, [a.id, b.id]);
    const event = { actionId: 'act_policytest', teamId: team.teamId, actor: adminActor(team.admin), maxLifetimeDays: 30, changed: keys, expiredNow: keys.filter((k) => k.id === a.id), at: new Date() };
    await server.services.notify.policyApplied(event);
    await server.services.notify.policyApplied(event);
    const { items } = await eve.api.notifications.list.query({});
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ kind: 'policy_changed', revokedKeyIds: [a.id], reason: 'policy' });
    const mails = await until(() => (sink.to(eve.email).length ? sink.to(eve.email) : null));
    await sleep(200);
    expect(sink.to(eve.email)).toHaveLength(1);
    expect(mails[0]!.subject).toBe("Your team's expiry policy changed 2 of your Keywarden API keys");
    expect(mails[0]!.text).toContain('policy a');
    expect(mails[0]!.text).toContain('revoked now');
  });
});
