import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { launchWithExtension, type ExtensionBrowser } from '../helpers/browser';
import { POLL, sessionOf, setSession, settingsFor } from '../helpers/extension-flow';
import { createTeam, startTestServer, type TestServer } from '../helpers/harness';

/**
 * An outage in the middle of a session: the server stops, the admin acts, the
 * server comes back. While it is away the page says so once, at the top, and
 * marks what it shows as possibly stale; once it answers again the page reloads
 * what is on screen by itself and no error stays, without a click.
 */
let server: TestServer;
/** A second server over the same database: the test's hands while the one the extension talks to is down. */
let peer: TestServer;
let ext: ExtensionBrowser;
const LABEL = 'outage';

beforeAll(async () => {
  server = await startTestServer({ label: LABEL });
  peer = await startTestServer({ label: `${LABEL}-peer`, dbName: server.dbName });
  ext = await launchWithExtension();
});

afterAll(async () => {
  await ext?.close();
  await peer?.stop();
  await server?.close();
});

/** Set while the server is stopped: starts it again at the same address over the same database. */
let restartPending: (() => Promise<void>) | null = null;

/** Stops the server the extension talks to; the answer starts it again. */
async function restartable() {
  const port = new URL(server.url).port;
  await server.stop();
  restartPending = async () => {
    restartPending = null;
    server = await startTestServer({ label: LABEL, dbName: server.dbName, env: { PORT: port } });
  };
  return restartPending;
}

// A test that failed mid-outage must not leave the next one without a server.
afterEach(async () => {
  await restartPending?.();
});

describe('an outage mid-session', () => {
  it('marks the dashboard stale while the server is down, then reloads it by itself and clears the error', async () => {
    const team = await createTeam(peer, 'Acme');
    await setSession(ext, sessionOf(server.url, team.admin, { teamId: team.teamId, name: 'Acme', role: 'super_admin' }), settingsFor(server.url));
    const page = await ext.context.newPage();
    await page.goto(ext.url('dashboard.html'));
    await page.getByRole('tab', { name: 'Members' }).click();
    await page.locator('table.members').waitFor();

    const restart = await restartable();
    // Act while it is down: open the audit log, whose request fails.
    await page.getByRole('tab', { name: 'Audit log' }).click();
    const banner = page.locator('.connection-banner');
    await banner.waitFor();
    expect(await banner.textContent()).toMatch(/^Server unreachableSince \d/);
    expect(await page.getByText('Server unreachable').count()).toBe(1);
    expect(await page.locator('.connection-area').getAttribute('aria-busy')).toBe('true');
    expect(await page.locator('.connection-area').evaluate((el) => getComputedStyle(el).opacity)).toBe('0.6');

    // Meanwhile a key is made (through the other server): its audit entry reaches the page only by a reload.
    await team.admin.api.keys.create.mutate({ teamId: team.teamId, name: 'made-while-away' });
    await restart();

    await expect.poll(() => page.locator('table.audit td.mono', { hasText: 'key.created' }).count(), POLL).toBeGreaterThan(0);
    await expect.poll(() => banner.count(), POLL).toBe(0);
    expect(await page.getByText('Server unreachable').count()).toBe(0);
    expect(await page.locator('.connection-area').getAttribute('aria-busy')).toBeNull();
    expect(await page.getByRole('alert').count()).toBe(0);
    await page.close();
  });

  it('puts a sort that could not load back to the order of the rows shown, and reloads the list by itself', async () => {
    const team = await createTeam(peer, 'Acme');
    for (const name of ['older-key', 'newer-key']) await team.admin.api.keys.create.mutate({ teamId: team.teamId, name });
    await setSession(ext, sessionOf(server.url, team.admin, { teamId: team.teamId, name: 'Acme', role: 'super_admin' }), settingsFor(server.url));
    const page = await ext.context.newPage();
    await page.goto(ext.url('dashboard.html'));
    const table = page.getByRole('table', { name: 'API keys of Acme' });
    await table.getByText('newer-key').waitFor();
    const sort = page.getByRole('combobox', { name: 'Sort' });
    const names = () => table.locator('tbody tr').evaluateAll((rows) => rows.map((r) => ['made-while-away', 'newer-key', 'older-key'].find((n) => r.textContent?.includes(n)) ?? ''));

    const restart = await restartable();
    await sort.selectOption('oldest');
    await page.locator('.connection-banner').waitFor();
    // The newest-first rows stay, so the selector says "Newest" again.
    await expect.poll(() => sort.inputValue(), POLL).toBe('newest');
    expect(await names()).toEqual(['newer-key', 'older-key']);

    await team.admin.api.keys.create.mutate({ teamId: team.teamId, name: 'made-while-away' });
    await restart();
    await expect.poll(names, POLL).toEqual(['made-while-away', 'newer-key', 'older-key']);
    await expect.poll(() => page.locator('.connection-banner').count(), POLL).toBe(0);
    expect(await sort.inputValue()).toBe('newest');
    expect(await page.getByRole('alert').count()).toBe(0);
    await page.close();
  });

  it('keeps the popup’s sections and says once, at the top, that the server is unreachable, then recovers by itself', async () => {
    const team = await createTeam(peer, 'Acme');
    await team.admin.api.keys.create.mutate({ teamId: team.teamId, name: 'admin-tools' });
    await setSession(ext, sessionOf(server.url, team.admin, { teamId: team.teamId, name: 'Acme', role: 'super_admin' }), settingsFor(server.url));
    const page = await ext.context.newPage();
    await page.setViewportSize({ width: 380, height: 720 });
    await page.goto(ext.url('popup.html'));
    await page.getByRole('heading', { name: 'Team keys' }).waitFor();
    await page.getByRole('list', { name: 'My keys' }).getByText('admin-tools').waitFor();

    const restart = await restartable();
    await page.reload();
    await page.locator('.connection-banner').waitFor();
    await expect.poll(() => page.locator('.loading').count(), POLL).toBe(0);
    expect(await page.getByText('Server unreachable').count()).toBe(1);
    // The banner comes first, above every section, and no section heading stands over an error.
    expect(await page.locator('main.popup > *:not(header)').first().getAttribute('class')).toContain('connection-banner');
    expect(await page.getByRole('heading', { name: 'Invitations' }).count()).toBe(0);

    await restart();
    await page.getByRole('list', { name: 'My keys' }).getByText('admin-tools').waitFor();
    await expect.poll(() => page.locator('.connection-banner').count(), POLL).toBe(0);
    expect(await page.getByRole('alert').count()).toBe(0);
    await page.close();
  });
});
