import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BADGE_AMBER, BADGE_RED } from '../../shared/schemas/alerts';
import { createTeam, errorCode, startTestServer, type TestServer } from '../helpers/harness';
import { BACKGROUND_COMMENT } from '../../server/db/key-lists';
import { adminActor, issueKey, openAlertsSocket, startPeer, until } from '../helpers/notify';

let server: TestServer;
let team: Awaited<ReturnType<typeof createTeam>>;
type IssuedKey = Awaited<ReturnType<typeof issueKey>>;

beforeAll(async () => {
  server = await startTestServer({ label: 'notify-alerts' });
  team = await createTeam(server, 'Alerts');
});
afterAll(() => server.close());

const revoke = (s: TestServer, ...keyIds: string[]) =>
  s.services.keyActions.run({ teamId: team.teamId, kind: 'revoke', reason: 'bulk', actor: adminActor(team.admin), keyIds });

/** Max and ivy of each test's own (fresh users, so one test's notices never show in another's summary). */
async function maxAndIvy() {
  const max = await team.addUser('max');
  const ivy = await team.addUser('ivy');
  const keys: Record<'a' | 'b' | 'soon' | 'later' | 'ivy', IssuedKey> = {
    a: await issueKey(server, max, team.teamId, 'max a'),
    b: await issueKey(server, max, team.teamId, 'max b'),
    soon: await issueKey(server, max, team.teamId, 'max soon', 3),
    later: await issueKey(server, max, team.teamId, 'max later', 30),
    ivy: await issueKey(server, ivy, team.teamId, 'ivy key', 2),
  };
  return { max, ivy, keys };
}

describe('alerts.summary', () => {
  it('shows amber with the count of keys inside the warning window when nothing is revoked', async () => {
    const { max } = await maxAndIvy();
    const summary = await max.api.alerts.summary.query();
    expect(summary).toMatchObject({ unchanged: false, revokedUnread: 0, expiringSoon: 1, items: [], badge: { text: '1', color: BADGE_AMBER } });
    expect(await team.admin.api.alerts.summary.query()).toMatchObject({ revokedUnread: 0, expiringSoon: 0, badge: { text: '' } });
    expect(await errorCode(server.client(null).alerts.summary.query())).toBe('UNAUTHORIZED');
  });

  it('matches the notices: red with the count of revoked keys whose notice is unread, newest first', async () => {
    const { max, ivy, keys } = await maxAndIvy();
    await revoke(server, keys.a.id, keys.b.id);
    await revoke(server, keys.ivy.id);
    const summary = await max.api.alerts.summary.query({});
    if (summary.unchanged) throw new Error('expected a full summary');
    const { items } = await max.api.notifications.list.query({});
    expect(summary.items).toEqual(items.slice(0, 5));
    expect(summary.revokedUnread).toBe(new Set(items.filter((n) => !n.readAt).flatMap((n) => n.revokedKeyIds)).size);
    expect(summary).toMatchObject({ revokedUnread: 2, expiringSoon: 1, badge: { text: '2', color: BADGE_RED } });
    expect(summary.items[0]!.keys.map((k) => k.name)).toEqual(['max a', 'max b']);
    // ivy's revoked key shows on ivy's badge only, and no longer counts as expiring.
    expect(await ivy.api.alerts.summary.query()).toMatchObject({ revokedUnread: 1, expiringSoon: 0, badge: { text: '1', color: BADGE_RED } });
  });

  it('answers an unchanged summary with its etag only, and a changed one in full', async () => {
    const { max, keys } = await maxAndIvy();
    await revoke(server, keys.a.id, keys.b.id);
    const first = await max.api.alerts.summary.query();
    expect(first).toMatchObject({ revokedUnread: 2, badge: { color: BADGE_RED } });
    expect(await max.api.alerts.summary.query({ etag: first.etag })).toEqual({ unchanged: true, etag: first.etag });
    await max.api.notifications.markRead.mutate({ all: true });
    const after = await max.api.alerts.summary.query({ etag: first.etag });
    expect(after).toMatchObject({ unchanged: false, revokedUnread: 0, expiringSoon: 1, badge: { text: '1', color: BADGE_AMBER } });
    expect(after.etag).not.toBe(first.etag);
  });

  it('answers an unchanged poll from two revision look-ups (plus the session), and notices key changes that carry no notice', async () => {
    const commands: string[] = [];
    // Verify's poller reads beside the test every second (tagged): only the summary's own commands count.
    const listener = (e: { commandName: string; command: Record<string, unknown> }) => {
      if (e.command.comment !== BACKGROUND_COMMENT) commands.push(`${e.commandName}:${String(e.command[e.commandName])}`);
    };
    const watched = await startTestServer({ label: 'alerts-cheap', dbName: server.dbName, monitorCommands: true });
    const zed = await team.addUser('zed');
    try {
      watched.storage.database.client.on('commandStarted', listener);
      const api = watched.client(zed.token);
      const full = await api.alerts.summary.query();
      commands.length = 0;
      expect(await api.alerts.summary.query({ etag: full.etag })).toEqual({ unchanged: true, etag: full.etag });
      // Authentication costs its two `_id` look-ups; the summary itself only reads the two revisions.
      expect(commands.sort()).toEqual(['find:revisions', 'find:revisions', 'find:sessions', 'find:users']);

      // A key created inside the warning window changes the badge without any notice.
      const before = await api.alerts.summary.query({ etag: full.etag });
      await api.keys.create.mutate({ teamId: team.teamId, name: 'zed short key', expiresInDays: 1 });
      const after = await api.alerts.summary.query({ etag: before.etag });
      expect(after.unchanged).toBe(false);
      if (!after.unchanged && !full.unchanged) expect(after.expiringSoon).toBe(full.expiringSoon + 1);
    } finally {
      watched.storage.database.client.off('commandStarted', listener);
      await watched.stop();
    }
  });
});

describe('push over /v1/alerts/ws', () => {
  it('tells a signed-in client at once that its summary changed, and nobody else', async () => {
    const { max, ivy, keys } = await maxAndIvy();
    const maxSocket = await openAlertsSocket(server, max.token);
    const ivySocket = await openAlertsSocket(server, ivy.token);
    try {
      expect(maxSocket.messages[0]).toEqual({ type: 'ready' });
      await revoke(server, keys.soon.id);
      // The in-process push goes out while the action runs: once each socket's ping is answered,
      // every "changed" the action caused has arrived (the cross-instance check runs every 3 s).
      await Promise.all([maxSocket.roundTrip(), ivySocket.roundTrip()]);
      expect(maxSocket.changes()).toBeGreaterThan(0);
      expect(ivySocket.changes()).toBe(0);
      expect(await max.api.alerts.summary.query()).toMatchObject({ revokedUnread: 1, expiringSoon: 0 });
    } finally {
      maxSocket.close();
      ivySocket.close();
    }
  });

  it('also pushes notices written by another server instance', async () => {
    const { max, keys } = await maxAndIvy();
    const peer = await startPeer(server, 'notify-alerts-peer');
    const socket = await openAlertsSocket(server, max.token);
    try {
      await revoke(peer, keys.later.id);
      await until(() => socket.changes() > 0);
    } finally {
      socket.close();
      await peer.stop();
    }
  });

  it('refuses a client without a valid session', async () => {
    const socket = await openAlertsSocket(server, 'not-a-session');
    await until(() => socket.closeCode() !== null);
    expect(socket.messages[0]).toMatchObject({ type: 'error', code: 'UNAUTHORIZED' });
    expect(socket.closeCode()).toBe(4401);
  });
});
