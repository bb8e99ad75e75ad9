import { randomBytes } from 'node:crypto';
import type { Page } from 'playwright-core';
import type { ExtensionBrowser } from './browser';
import { sessionOf, setSession, settingsFor } from './extension-flow';
import { createTeam, type TestServer } from './harness';

/** Team "Acme": dev and ops with keys (dev-old and ops-leaked revoked), the admin's own key, and the extension signed in as the admin. */
export async function acmeTeam(server: TestServer, ext: ExtensionBrowser) {
  const team = await createTeam(server, 'Acme');
  const dev = await team.addUser('dev');
  const ops = await team.addUser('ops');
  const newHire = `new-hire-${randomBytes(3).toString('hex')}@example.test`;
  const keys: Record<string, { id: string; value: string }> = {};
  for (const [user, name] of [[dev, 'dev-ci'], [dev, 'dev-laptop'], [dev, 'dev-old'], [ops, 'ops-leaked'], [ops, 'ops-live'], [team.admin, 'admin-tools']] as const) {
    const created = await user.api.keys.create.mutate({ teamId: team.teamId, name });
    keys[name] = { id: created.row.id, value: created.key };
  }
  for (const name of ['dev-old', 'ops-leaked']) await team.admin.api.keys.revoke.mutate({ teamId: team.teamId, keyIds: [keys[name]!.id] });
  await setSession(ext, sessionOf(server.url, team.admin, { teamId: team.teamId, name: 'Acme', role: 'super_admin' }), settingsFor(server.url));

  /** Every key of the team as the server holds it, by name. */
  const serverKeys = async () => {
    const page = await team.admin.api.keys.list.query({ teamId: team.teamId, view: ['enabled', 'disabled', 'revoked'], limit: 100 });
    return Object.fromEntries(page.items.map((k) => [k.name, k]));
  };
  return { team, dev, ops, newHire, keys, serverKeys };
}

/** The dashboard in a new tab of the extension, on `tab` when given. */
export async function openDashboardIn(ext: ExtensionBrowser, tab?: 'Members' | 'Audit log'): Promise<Page> {
  const page = await ext.context.newPage();
  await page.goto(ext.url('dashboard.html'));
  if (tab) await page.getByRole('tab', { name: tab }).click();
  return page;
}
