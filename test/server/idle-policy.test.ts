import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTeam, errorCode, startTestServer, type TestServer, type TestUser } from '../helpers/harness';
import { adminActor, auditOf } from '../helpers/fixtures';
import { DAY, setClock, settleOutbox } from '../helpers/notify';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink';

let sink: SmtpSink;
let server: TestServer;
let team: Awaited<ReturnType<typeof createTeam>>;
let ana: TestUser;
let ben: TestUser;

const ago = (days: number) => new Date(Date.now() - days * DAY);
const statusOf = async (keyId: string) => (await server.services.keysAdmin.list({ teamId: team.teamId, view: ['enabled', 'disabled', 'revoked'], sort: 'newest', limit: 100 })).items.find((k) => k.id === keyId);
const noticesOf = async (u: TestUser) => (await server.services.notifications.list(u.userId, { limit: 100 })).items;

async function key(owner: TestUser, name: string, createdDaysAgo: number, usedDaysAgo: number | null) {
  return server.services.keys.importKey({ teamId: team.teamId, ownerId: owner.userId, name, createdAt: ago(createdDaysAgo), expiresAt: null, lastUsedAt: usedDaysAgo === null ? null : ago(usedDaysAgo) });
}

beforeAll(async () => {
  sink = await startSmtpSink();
  server = await startTestServer({ label: 'idle-policy', smtpUrl: sink.url });
  team = await createTeam(server, 'Idle');
  ana = await team.addUser('ana');
  ben = await team.addUser('ben');
});
afterAll(async () => {
  await server.close();
  await sink.stop();
});

describe('idle-key policy', () => {
  it('validates its settings', async () => {
    const settings = await team.admin.api.settings.get.query({ teamId: team.teamId });
    expect(settings).toMatchObject({ idleDisableDays: null, idleWarningDays: 7 });
    expect(await errorCode(team.admin.api.settings.update.mutate({ teamId: team.teamId, idleDisableDays: 10 }))).toBe('BAD_REQUEST');
    expect(await errorCode(team.admin.api.settings.update.mutate({ teamId: team.teamId, idleDisableDays: 400 }))).toBe('BAD_REQUEST');
    expect(await errorCode(team.admin.api.settings.update.mutate({ teamId: team.teamId, idleDisableDays: 30, idleWarningDays: 30 }))).toBe('BAD_REQUEST');
    expect(await errorCode(ana.api.settings.previewIdlePolicy.query({ teamId: team.teamId, idleDisableDays: 90 }))).toBe('FORBIDDEN');
  });

  it('previews what a pass then does, warns, disables with reason idle, and a use during the warning cancels it', async () => {
    const neverUsed = await key(ana, 'never used', 100, null);
    const warnedThenUsed = await key(ana, 'warned then used', 200, 85);
    const warnedUnused = await key(ana, 'warned and unused', 200, 86);
    const fresh = await key(ana, 'used yesterday', 200, 1);
    const bens = await key(ben, 'ben old', 95, null);

    const preview = await team.admin.api.settings.previewIdlePolicy.query({ teamId: team.teamId, idleDisableDays: 90 });
    expect(preview).toMatchObject({ disableNow: 2, warn: 2 });
    expect(preview.byOwner).toEqual([
      { userId: ana.userId, email: ana.email, disableNow: 1, warn: 2 },
      { userId: ben.userId, email: ben.email, disableNow: 1, warn: 0 },
    ]);
    // Nothing changes before the policy is saved.
    expect((await statusOf(neverUsed.id))?.status).toBe('enabled');

    await team.admin.api.settings.update.mutate({ teamId: team.teamId, idleDisableDays: 90 });
    expect(await server.services.idleKeys.run()).toEqual({ disabled: preview.disableNow, warned: preview.warn });
    expect(await statusOf(neverUsed.id)).toMatchObject({ status: 'disabled', disabledReason: 'idle' });
    expect(await statusOf(bens.id)).toMatchObject({ status: 'disabled', disabledReason: 'idle' });
    expect((await statusOf(warnedThenUsed.id))?.status).toBe('enabled');
    expect((await statusOf(fresh.id))?.status).toBe('enabled');
    // A second pass finds nothing new to do.
    expect(await server.services.idleKeys.run()).toEqual({ disabled: 0, warned: 0 });

    const disabledAudit = (await auditOf(server, team.teamId, 'key.disabled')).find((a) => a.targets.ids.includes(neverUsed.id));
    expect(disabledAudit?.details).toMatchObject({ reason: 'idle' });

    await settleOutbox(server);
    const kinds = (await noticesOf(ana)).map((n) => n.kind).sort();
    expect(kinds).toEqual(['key_idle_disabled', 'key_idle_warning']);
    const warning = (await noticesOf(ana)).find((n) => n.kind === 'key_idle_warning')!;
    expect(warning.keys.map((k) => k.name).sort()).toEqual(['warned and unused', 'warned then used']);
    expect(sink.to(ana.email).map((m) => m.subject)).toEqual(
      expect.arrayContaining(['Your unused Keywarden API key "never used" was disabled in team "Idle"', '2 of your unused Keywarden API keys will be disabled in 4 days in team "Idle"']),
    );
    const summary = await ana.api.alerts.summary.query();
    if (summary.unchanged) throw new Error('expected a full summary');
    expect(summary.needsAttention).toBeGreaterThanOrEqual(2);

    // One verified use during the warning restarts that key's clock.
    const answer = await fetch(`${server.url}/v1/keys/verify`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ key: warnedThenUsed.value }) });
    expect(await answer.json()).toMatchObject({ valid: true });
    await server.services.verify.flush();

    try {
      setClock(server, 6 * DAY);
      const later = await server.services.idleKeys.preview(team.teamId, 90);
      const pass = await server.services.idleKeys.run();
      expect(pass).toEqual({ disabled: later.disableNow, warned: 0 });
      expect(later.disableNow).toBe(1);
    } finally {
      setClock(server, 0);
    }
    expect((await statusOf(warnedThenUsed.id))?.status).toBe('enabled');
    expect(await statusOf(warnedUnused.id)).toMatchObject({ status: 'disabled', disabledReason: 'idle' });
  });

  it('filters the key list to keys with no use in N days', async () => {
    const other = await createTeam(server, 'Idle filter');
    const mk = (name: string, createdDaysAgo: number, usedDaysAgo: number | null) =>
      server.services.keys.importKey({ teamId: other.teamId, ownerId: other.admin.userId, name, createdAt: ago(createdDaysAgo), expiresAt: null, lastUsedAt: usedDaysAgo === null ? null : ago(usedDaysAgo) });
    await mk('used recently', 200, 2);
    await mk('used long ago', 200, 120);
    await mk('never used, old', 150, null);
    await mk('never used, new', 3, null);
    const page = await other.admin.api.keys.list.query({ teamId: other.teamId, view: ['enabled', 'disabled', 'revoked'], idleDays: 90 });
    expect(page.items.map((k) => k.name).sort()).toEqual(['never used, old', 'used long ago']);
    const all = await other.admin.api.keys.list.query({ teamId: other.teamId, view: ['enabled'] });
    expect(all.items).toHaveLength(4);
  });

  it('restarts the idle clock of a key an admin enables again', async () => {
    const old = await key(ben, 'enabled again', 300, 250);
    await server.services.idleKeys.run();
    expect((await statusOf(old.id))?.status).toBe('disabled');
    await server.services.keysAdmin.enable(adminActor(team), team.teamId, [old.id]);
    await server.services.idleKeys.run();
    expect((await statusOf(old.id))?.status).toBe('enabled');
    try {
      setClock(server, 84 * DAY);
      expect((await server.services.idleKeys.preview(team.teamId, 90)).byOwner.find((o) => o.userId === ben.userId)?.warn).toBe(1);
      setClock(server, 91 * DAY);
      await server.services.idleKeys.run();
    } finally {
      setClock(server, 0);
    }
    expect((await statusOf(old.id))?.status).toBe('disabled');
  });
});
