import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { noticeId } from '../../server/services/notify.service';
import { createTeam, errorCode, startTestServer, type TestServer, type TestUser } from '../helpers/harness';
import { storedKeys, storedKeysOfAction } from '../helpers/fixtures';
import { adminActor, issueKey, settleOutbox } from '../helpers/notify';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink';

let sink: SmtpSink;
let server: TestServer;

beforeAll(async () => {
  sink = await startSmtpSink();
  server = await startTestServer({ label: 'notify-grouping', smtpUrl: sink.url });
});
afterAll(async () => {
  await server.close();
  await sink.stop();
});

const NAMES = ['ada', 'bob', 'cy'];

/** A team of its own per test: owners with `counts[i]` keys each, so tests share no notices or emails. */
async function teamWithKeys(name: string, counts: number[]) {
  const team = await createTeam(server, name);
  const owners: TestUser[] = [];
  const keysOf = new Map<string, { id: string; name: string; hint: string }[]>();
  for (const [i, count] of counts.entries()) {
    const owner = await team.addUser(NAMES[i]!);
    const keys = [];
    for (let n = 0; n < count; n++) keys.push(await issueKey(server, owner, team.teamId, `${NAMES[i]} key ${String(n).padStart(2, '0')}`));
    owners.push(owner);
    keysOf.set(owner.userId, keys);
  }
  const revokeAll = (keyIds = [...keysOf.values()].flat().map((k) => k.id)) =>
    server.services.keyActions.run({ teamId: team.teamId, kind: 'revoke', reason: 'bulk', actor: adminActor(team.admin), keyIds });
  return { team, owners, keysOf, revokeAll };
}

describe('grouped revocation notices', () => {
  it('sends exactly one email and one in-app notice per owner for a bulk revoke of 40 keys', async () => {
    const { team, owners, keysOf, revokeAll } = await teamWithKeys('Grouping', [15, 15, 10]);
    expect([...keysOf.values()].flat()).toHaveLength(40);
    const result = await revokeAll();
    expect(result.changed).toHaveLength(40);

    // Run the outbox to completion: what the sink holds now is everything that will ever be sent.
    await settleOutbox(server);
    for (const owner of owners) {
      const mails = sink.to(owner.email);
      expect(mails).toHaveLength(1);
      const mail = mails[0]!;
      const keys = keysOf.get(owner.userId)!;
      expect(mail.subject).toBe(`${keys.length} of your Keywarden API keys were revoked in team "Grouping"`);
      for (const k of keys) {
        expect(mail.text).toContain(k.name);
        expect(mail.text).toContain(k.hint);
        expect(mail.html).toContain(k.hint);
      }
      expect(mail.text).toContain(team.admin.email);
      expect(mail.text).toMatch(/Why: revoked in a bulk action/);
      expect(mail.text).toMatch(/What to do next: .*Generate a new key/);
      expect(mail.text).toMatch(/When: \d{4}-\d\d-\d\d \d\d:\d\d UTC/);
      expect(mail.messageId).toBe(`<${noticeId(`action:${result.actionId}:${owner.userId}`)}@keywarden>`);
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
    const { team, owners, revokeAll } = await teamWithKeys('Retried', [2, 1]);
    const { actionId } = await revokeAll();
    await settleOutbox(server);
    for (const owner of owners) expect(sink.to(owner.email)).toHaveLength(1);

    const changed = await storedKeysOfAction(server, actionId);
    await server.services.notify.keysChanged({ actionId, teamId: team.teamId, kind: 'revoked', reason: 'bulk', actor: adminActor(team.admin), keys: changed, at: new Date() });
    await settleOutbox(server);
    for (const owner of owners) {
      expect(sink.to(owner.email)).toHaveLength(1);
      expect((await owner.api.notifications.list.query({})).items).toHaveLength(1);
    }
  });

  it('sends nothing for revoking keys that are already revoked', async () => {
    const { owners, revokeAll } = await teamWithKeys('Twice revoked', [3]);
    await revokeAll();
    await settleOutbox(server);
    expect(sink.to(owners[0]!.email)).toHaveLength(1);

    const again = await revokeAll();
    expect(again.changed).toHaveLength(0);
    await settleOutbox(server);
    expect(sink.to(owners[0]!.email)).toHaveLength(1);
    expect((await owners[0]!.api.notifications.list.query({})).items).toHaveLength(1);
  });
});

describe('whose notices are whose', () => {
  it('never shows a member another member\'s notices, nor lets them mark them read', async () => {
    const { team, owners, revokeAll } = await teamWithKeys('Whose', [1, 1]);
    await revokeAll();
    const [ada, bob] = owners as [TestUser, TestUser];
    const adaNotice = (await ada.api.notifications.list.query({})).items[0]!;
    const bobList = await bob.api.notifications.list.query({ teamId: team.teamId });
    expect(bobList.items).toHaveLength(1);
    expect(bobList.items.map((n) => n.id)).not.toContain(adaNotice.id);
    expect(await bob.api.notifications.markRead.mutate({ ids: [adaNotice.id] })).toEqual({ updated: 0 });
    expect((await ada.api.notifications.list.query({ unreadOnly: true })).items.map((n) => n.id)).toContain(adaNotice.id);
    expect((await team.admin.api.notifications.list.query({})).items).toEqual([]);
  });

  it('answers NOT_FOUND for a team the caller is not in, and UNAUTHORIZED without a session', async () => {
    const { owners } = await teamWithKeys('Mine', [0]);
    const other = await createTeam(server, 'Elsewhere');
    expect(await errorCode(owners[0]!.api.notifications.list.query({ teamId: other.teamId }))).toBe('NOT_FOUND');
    expect(await errorCode(server.client(null).notifications.list.query({}))).toBe('UNAUTHORIZED');
    expect(await errorCode(owners[0]!.api.notifications.markRead.mutate({ ids: [] } as never))).toBe('BAD_REQUEST');
  });

  it('marks read by id or all, only the caller\'s own', async () => {
    const { owners, revokeAll } = await teamWithKeys('Mark read', [1, 1]);
    await revokeAll();
    const [cy, bob] = owners as [TestUser, TestUser];
    const { items } = await cy.api.notifications.list.query({});
    expect(await cy.api.notifications.markRead.mutate({ ids: [items[0]!.id] })).toEqual({ updated: 1 });
    expect(await cy.api.notifications.markRead.mutate({ all: true })).toEqual({ updated: 0 });
    expect((await cy.api.notifications.list.query({ unreadOnly: true })).items).toEqual([]);
    expect(await bob.api.notifications.markRead.mutate({ all: true })).toEqual({ updated: 1 });
  });

  it('pages newest first with a cursor', async () => {
    const { team, owners, revokeAll } = await teamWithKeys('Paging', [1]);
    await revokeAll();
    const ada = owners[0]!;
    const more = await issueKey(server, ada, team.teamId, 'ada extra');
    await server.services.keyActions.run({ teamId: team.teamId, kind: 'disable', reason: 'manual', actor: adminActor(team.admin), keyIds: [more.id] });
    const first = await ada.api.notifications.list.query({ limit: 1 });
    expect(first.items[0]).toMatchObject({ kind: 'key_disabled', revokedKeyIds: [] });
    expect(first.nextCursor).toBeTruthy();
    const second = await ada.api.notifications.list.query({ limit: 1, cursor: first.nextCursor! });
    expect(second.items[0]!.kind).toBe('key_revoked');
    expect(second.nextCursor).toBeNull();
    await server.services.outbox.idle();
    expect(sink.to(ada.email).map((m) => m.subject)).toContain('Your Keywarden API key "ada extra" was disabled in team "Paging"');
  });
});

describe('the owner as the actor', () => {
  it('emails the owner who revoked their own key, and files the in-app notice as already read', async () => {
    const team = await createTeam(server, 'Own goal');
    const dee = await team.addUser('dee');
    const key = await issueKey(server, dee, team.teamId, 'leaked');
    await dee.api.keys.revokeOwn.mutate({ teamId: team.teamId, keyId: key.id });
    await server.services.outbox.idle();
    const [mail] = sink.to(dee.email);
    expect(mail!.subject).toBe('Your Keywarden API key "leaked" was revoked in team "Own goal"');
    expect(mail!.text).toMatch(/^You revoked your API key/);
    const { items } = await dee.api.notifications.list.query({});
    expect(items).toHaveLength(1);
    expect(items[0]!.readAt).not.toBeNull();
  });
});

describe('policy notices', () => {
  it('tells each owner which keys got a shorter expiry and which were revoked at once, in one notice', async () => {
    const team = await createTeam(server, 'Policy');
    const eve = await team.addUser('eve');
    const a = await issueKey(server, eve, team.teamId, 'policy a');
    const b = await issueKey(server, eve, team.teamId, 'policy b');
    const keys = await storedKeys(server, team.teamId, [a.id, b.id]);
    const event = { actionId: 'act_policytest', teamId: team.teamId, actor: adminActor(team.admin), maxLifetimeDays: 30, changed: keys, expiredNow: keys.filter((k) => k.id === a.id), at: new Date() };
    await server.services.notify.policyApplied(event);
    await server.services.notify.policyApplied(event);
    const { items } = await eve.api.notifications.list.query({});
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({ kind: 'policy_changed', revokedKeyIds: [a.id], reason: 'policy' });
    await settleOutbox(server);
    const mails = sink.to(eve.email);
    expect(mails).toHaveLength(1);
    expect(mails[0]!.subject).toBe('Your team\'s expiry policy changed 2 of your Keywarden API keys in team "Policy"');
    expect(mails[0]!.text).toContain('policy a');
    expect(mails[0]!.text).toContain('revoked now');
  });
});
