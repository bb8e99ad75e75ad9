import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acmeTeam, openDashboardIn } from '../helpers/acme-dashboard';
import { launchWithExtension, type ExtensionBrowser } from '../helpers/browser';
import { POLL, screenshot } from '../helpers/extension-flow';
import { createTeam, startTestServer, type TestServer } from '../helpers/harness';

/**
 * The Members tab's pending invitations: someone who has signed in to Keywarden
 * is invited, not added, and the tab lists the invitation with when it was sent
 * and when it lapses, and lets the admin send it again or withdraw it. The
 * invitee's badge counts the invitation while it waits.
 */
let server: TestServer;
let ext: ExtensionBrowser;

beforeAll(async () => {
  server = await startTestServer({ label: 'memberinv' });
  ext = await launchWithExtension();
});

afterAll(async () => {
  await ext?.close();
  await server?.close();
});

describe('pending invitations in the Members tab', () => {
  it('lists an invitation with its dates, resends it and withdraws it', async () => {
    const { team } = await acmeTeam(server, ext);
    // The admin of another team has signed in, so adding them to Acme asks for their consent.
    const invitee = (await createTeam(server, 'Globex')).admin;
    const page = await openDashboardIn(ext, 'Members');
    await page.locator('table.members').waitFor();

    await page.getByLabel('Email', { exact: true }).fill(invitee.email);
    await page.getByRole('button', { name: 'Add member' }).click();
    await page.getByText(`Invitation to Acme sent to ${invitee.email}.`).waitFor();
    const invitations = page.getByRole('table', { name: 'Pending invitations to Acme' });
    const row = invitations.getByRole('row').filter({ hasText: invitee.email });
    await row.waitFor();
    const [sent] = await team.admin.api.invitations.listForTeam.query({ teamId: team.teamId });
    expect(await row.getByRole('cell').allTextContents()).toEqual([
      invitee.email,
      'Member',
      expect.stringContaining(String(sent!.sentAt.getFullYear())),
      expect.stringContaining(String(sent!.expiresAt.getFullYear())),
      expect.stringContaining('Resend'),
    ]);
    expect((await invitee.api.alerts.summary.query()) as { pendingInvitations: number }).toMatchObject({ pendingInvitations: 1 });
    await screenshot(page, 'members-invitations', { until: invitations });

    await row.getByRole('button', { name: `Resend the invitation to ${invitee.email}` }).click();
    await page.getByText(`Invitation to Acme sent again to ${invitee.email}.`).waitFor();
    const [resent] = await team.admin.api.invitations.listForTeam.query({ teamId: team.teamId });
    expect(resent!.sentAt.getTime()).toBeGreaterThan(sent!.sentAt.getTime());
    const audit = await team.admin.api.audit.list.query({ teamId: team.teamId, limit: 10 });
    expect(audit.items.filter((a) => a.action === 'member.invited').map((a) => a.details?.resent)).toEqual([true, false]);

    await row.getByRole('button', { name: 'Withdraw' }).click();
    await page.getByRole('group', { name: 'Confirm' }).getByRole('button', { name: 'Withdraw' }).click();
    await page.getByText(`Invitation of ${invitee.email} to Acme withdrawn.`).waitFor();
    await expect.poll(() => row.count(), POLL).toBe(0);
    expect(await team.admin.api.invitations.listForTeam.query({ teamId: team.teamId })).toEqual([]);
    expect(await invitee.api.invitations.list.query()).toEqual([]);
    expect((await invitee.api.alerts.summary.query()) as { pendingInvitations: number }).toMatchObject({ pendingInvitations: 0 });
    await page.close();
  });
});
