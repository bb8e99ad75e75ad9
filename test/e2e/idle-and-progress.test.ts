import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { IDLE_DAYS } from '../../shared/idle';
import { PROGRESS_BATCH } from '../../server/services/key-actions.service';
import { openDashboardIn } from '../helpers/acme-dashboard';
import { launchWithExtension, type ExtensionBrowser } from '../helpers/browser';
import { POLL, sessionOf, setSession, settingsFor } from '../helpers/extension-flow';
import { createTeam, startTestServer, type TestServer } from '../helpers/harness';
import { DAY, seedKey } from '../helpers/keys';
import { seedManyKeys } from '../helpers/many-keys';

/**
 * Issue 21: the usage card counts idle keys as the Idle filter finds them (item 3), and a Revoke
 * All of 2,000 keys shows keys done of total while it runs (item 5). Each test has its own team.
 */
let server: TestServer;
let ext: ExtensionBrowser;

beforeAll(async () => {
  server = await startTestServer({ label: 'idleprogress' });
  ext = await launchWithExtension();
});

afterAll(async () => {
  await ext?.close();
  await server?.close();
});

async function signedInTeam() {
  const team = await createTeam(server, 'Acme');
  await setSession(ext, sessionOf(server.url, team.admin, { teamId: team.teamId, name: 'Acme', role: 'super_admin' }), settingsFor(server.url));
  return team;
}

describe('the usage card and the Idle filter', () => {
  it('counts the working idle keys the Idle filter finds, and its "Show" sets that filter', async () => {
    const team = await signedInTeam();
    const long = new Date(Date.now() - 45 * DAY);
    const seed = (name: string, over: { lastUsedAt: Date | null; status?: 'enabled' | 'disabled' | 'revoked'; createdAt?: Date }) =>
      seedKey(server, { teamId: team.teamId, ownerId: team.admin.userId, name, createdAt: long, ...over });
    await seed('used-long-ago', { lastUsedAt: new Date(long.getTime() + DAY) });
    await seed('never-used-old', { lastUsedAt: null });
    await seed('another-old', { lastUsedAt: long });
    await seed('idle-but-disabled', { lastUsedAt: null, status: 'disabled' });
    await seed('idle-but-revoked', { lastUsedAt: null, status: 'revoked' });
    await seed('in-use', { lastUsedAt: new Date(Date.now() - DAY) });
    await seed('new-never-used', { lastUsedAt: null, createdAt: new Date() });

    const page = await openDashboardIn(ext);
    const card = page.getByRole('region', { name: 'Usage' });
    const idleLine = card.getByRole('listitem').filter({ hasText: `not used for ${IDLE_DAYS} days` });
    await expect.poll(() => idleLine.textContent(), POLL).toMatch(/^3 working keys not used for 30 days/);
    // "Working" is enabled: the disabled never-used key is not counted.
    await expect.poll(() => card.getByRole('listitem').filter({ hasText: 'never used' }).textContent(), POLL).toMatch(/^2 working keys never used/);

    await idleLine.getByRole('button', { name: /^Show the 3 working keys/ }).click();
    await expect.poll(() => page.getByRole('combobox', { name: 'Idle' }).inputValue(), POLL).toBe(String(IDLE_DAYS));
    const rows = page.locator('table.keys tbody tr td.key-name');
    await expect.poll(async () => (await rows.allTextContents()).map((t) => t.trim()).sort(), POLL).toEqual(['another-old', 'never-used-old', 'used-long-ago']);
    await expect.poll(() => page.locator('.counts-inline .tag-enabled').textContent(), POLL).toBe('3 enabled');
    expect(await page.getByText('cannot filter').count()).toBe(0);
    await page.close();
  });
});

describe('a long bulk action', () => {
  it('shows keys done of total during a Revoke All of 2,000 keys, then the report and the revoked list', async () => {
    const team = await signedInTeam();
    const total = 2000;
    await seedManyKeys(server, { teamId: team.teamId, ownerId: team.admin.userId }, total);

    // Hold the action after its first batch until the page has shown it: seen without timing luck.
    const actions = server.storage.repos.actions;
    const record = actions.progress.bind(actions);
    let release!: () => void;
    const shown = new Promise<void>((resolve) => (release = resolve));
    actions.progress = async (id, done, of) => {
      await record(id, done, of);
      if (done === PROGRESS_BATCH) await shown;
    };
    try {
      const page = await openDashboardIn(ext);
      await expect.poll(() => page.locator('.counts-inline .tag-enabled').textContent(), POLL).toBe('2,000 enabled');
      await page.getByRole('button', { name: 'Revoke all…' }).click();
      await page.getByLabel('Type REVOKE ALL to confirm').fill('REVOKE ALL');
      await page.getByRole('button', { name: 'Revoke all keys' }).click();

      const dialog = page.getByRole('dialog');
      const status = dialog.getByRole('status');
      await expect.poll(() => status.textContent(), POLL).toContain('200 of 2,000 keys done');
      expect(await dialog.getByRole('progressbar').getAttribute('value')).toBe('200');
      release();

      await expect.poll(() => page.getByText('Revoked all 2,000 keys of Acme. Owners were notified.').count(), POLL).toBe(1);
      await expect.poll(() => page.locator('.counts-inline .tag-revoked').textContent(), POLL).toBe('2,000 revoked');
      await expect.poll(() => page.locator('.counts-inline .tag-enabled').textContent(), POLL).toBe('0 enabled');
      await page.close();
    } finally {
      release();
      actions.progress = record;
    }
  });
});
