import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchWithExtension, type ExtensionBrowser } from '../helpers/browser';
import { POLL, pollNow, readBadge, sessionOf, setSession, settingsFor } from '../helpers/extension-flow';
import { createTeam, startTestServer, type TestServer } from '../helpers/harness';

/**
 * Housekeeping that clears itself: a key request's notice asks every admin for
 * an answer; once one admin gives it, the other admin's popup shows the notice
 * as read (no "Mark read" left to click) and their badge stops counting it.
 */
let server: TestServer;
let ext: ExtensionBrowser;

beforeAll(async () => {
  server = await startTestServer({ label: 'reqhouse' });
  ext = await launchWithExtension();
});

afterAll(async () => {
  await ext?.close();
  await server?.close();
});

describe('an answered key request', () => {
  it('clears the other admin’s notice and badge', async () => {
    const team = await createTeam(server, 'Acme');
    const mia = await team.addUser('mia');
    const other = await team.addUser('other-admin', 'admin');
    await team.admin.api.settings.update.mutate({ teamId: team.teamId, allowMemberKeyGeneration: false });
    const request = await mia.api.keyRequests.create.mutate({ teamId: team.teamId, name: 'ci deploy', reason: 'deploys from CI' });
    await setSession(ext, sessionOf(server.url, other, { teamId: team.teamId, name: 'Acme', role: 'admin' }), settingsFor(server.url));

    const page = await ext.context.newPage();
    await page.setViewportSize({ width: 380, height: 720 });
    await page.goto(ext.url('popup.html'));
    const notice = page.getByRole('list', { name: 'Alerts' }).locator('li.notice-key_request_created');
    await notice.waitFor();
    expect(await notice.getAttribute('class')).toContain('unread');
    await pollNow(ext);
    await expect.poll(async () => (await readBadge(ext)).title, POLL).toContain('1 key request to answer');

    await team.admin.api.keyRequests.approve.mutate({ teamId: team.teamId, requestId: request.id });

    await page.reload();
    await notice.waitFor();
    expect(await notice.getAttribute('class')).not.toContain('unread');
    expect(await notice.getByRole('button', { name: /^Mark read/ }).count()).toBe(0);
    await pollNow(ext);
    await expect.poll(async () => (await readBadge(ext)).text, POLL).toBe('');
    await page.close();
  });
});
