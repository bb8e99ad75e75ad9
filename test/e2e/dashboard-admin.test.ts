import { readFileSync } from 'node:fs';
import { parse } from 'csv-parse/sync';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { acmeTeam, openDashboardIn } from '../helpers/acme-dashboard';
import { launchWithExtension, type ExtensionBrowser } from '../helpers/browser';
import { POLL } from '../helpers/extension-flow';
import { startTestServer, type TestServer } from '../helpers/harness';
import { verifyKey } from '../helpers/keys';

/**
 * The admin's side of the dashboard that the other e2e files leave out: the
 * Members tab (add, change role, remove and what removal does to keys), the
 * Audit log tab with its CSV export, Disable/Enable from the key table, the
 * context menu's "Check this API key" on a revoked key, and reaching the key
 * filters by keyboard. Each test builds its own team "Acme" and signs the
 * extension in as its admin.
 */
let server: TestServer;
let ext: ExtensionBrowser;

beforeAll(async () => {
  server = await startTestServer({ label: 'dashadmin' });
  ext = await launchWithExtension();
});

afterAll(async () => {
  await ext?.close();
  await server?.close();
});

/** Team "Acme" (test/helpers/acme-dashboard.ts), with the extension signed in as its admin. */
const acme = () => acmeTeam(server, ext);
const openDashboard = (tab?: 'Members' | 'Audit log') => openDashboardIn(ext, tab);

const statusTagOf = (page: Page, keyName: string) => page.locator(`table.keys tr:has(td.key-name:text-is("${keyName}")) .tag`);
const isFocused = (page: Page, label: string) => page.getByLabel(label, { exact: true }).evaluate((el) => el === document.activeElement);

describe('the admin dashboard, end to end', () => {
  it('adds a member, promotes another to admin and removes a third, whose live keys are then disabled', async () => {
    const { team, dev, ops, newHire, keys, serverKeys } = await acme();
    const page = await openDashboard('Members');
    const members = page.getByRole('table', { name: 'Members of Acme' });
    const rowOf = (email: string) => members.getByRole('row').filter({ hasText: email });
    // The add form's fields are labelled "Email" and "Role" (a wrapping label's name also takes in the field's value).
    const addForm = page.locator('form').filter({ has: page.getByRole('button', { name: 'Add member' }) });
    await rowOf(dev.email).waitFor();
    // Nobody can change their own role from here.
    expect(await page.getByLabel(`Role of ${team.admin.email}`).isDisabled()).toBe(true);

    // Someone already in the team cannot be added twice, and their role stays as it was.
    await addForm.getByLabel('Email').fill(ops.email);
    await addForm.getByRole('button', { name: 'Add member' }).click();
    await page.getByRole('alert').getByText(`${ops.email} is already a member of this team.`).waitFor();
    expect(await page.getByLabel(`Role of ${ops.email}`).inputValue()).toBe('member');

    // Add: type the address, keep the role "Member", press Enter.
    expect(await addForm.getByLabel('Role').inputValue()).toBe('member');
    await addForm.getByLabel('Email').fill(newHire);
    await addForm.getByLabel('Email').press('Enter');
    await rowOf(newHire).waitFor();
    expect(await page.getByLabel(`Role of ${newHire}`).inputValue()).toBe('member');
    expect(await addForm.getByLabel('Email').inputValue()).toBe('');

    // Promote ops to admin from their row.
    await page.getByLabel(`Role of ${ops.email}`).selectOption('admin');
    await expect
      .poll(async () => (await team.admin.api.members.list.query({ teamId: team.teamId })).find((m) => m.userId === ops.userId)?.role, POLL)
      .toBe('admin');
    await expect.poll(() => page.getByLabel(`Role of ${ops.email}`).inputValue(), POLL).toBe('admin');

    // Remove dev: the first click only asks, with Cancel focused; the second removes.
    await rowOf(dev.email).getByRole('button', { name: 'Remove' }).click();
    const confirm = rowOf(dev.email).getByRole('group', { name: 'Confirm' });
    await confirm.getByText(`Remove ${dev.email}? Their keys are disabled.`).waitFor();
    expect(await confirm.getByRole('button', { name: 'Cancel' }).evaluate((el) => el === document.activeElement)).toBe(true);
    await confirm.getByRole('button', { name: 'Remove' }).click();
    await expect.poll(() => rowOf(dev.email).count(), POLL).toBe(0);

    const roles = Object.fromEntries((await team.admin.api.members.list.query({ teamId: team.teamId })).map((m) => [m.email, m.role]));
    expect(roles).toEqual({ [team.admin.email]: 'super_admin', [ops.email]: 'admin', [newHire]: 'member' });

    const stored = await serverKeys();
    for (const name of ['dev-ci', 'dev-laptop']) {
      expect(stored[name]).toMatchObject({ status: 'disabled', disabledReason: 'owner_removed' });
      await expect(verifyKey(server, keys[name]!.value)).resolves.toEqual({ valid: false, code: 'DISABLED' });
    }
    // A key that was already revoked stays revoked, and other members' keys are untouched.
    expect(stored['dev-old']).toMatchObject({ status: 'revoked', revokedReason: 'manual', disabledReason: null });
    expect(stored['ops-live']).toMatchObject({ status: 'enabled', disabledReason: null });
    expect(stored['admin-tools']).toMatchObject({ status: 'enabled' });
    await page.close();
  });

  it('shows member changes in the audit log with the actor, and exports the log as CSV', async () => {
    const { team, dev, ops, newHire } = await acme();
    // The same procedures the Members tab calls, as the same admin.
    await team.admin.api.members.add.mutate({ teamId: team.teamId, email: newHire, role: 'member' });
    await team.admin.api.members.setRole.mutate({ teamId: team.teamId, userId: ops.userId, role: 'admin' });
    await team.admin.api.members.remove.mutate({ teamId: team.teamId, userId: dev.userId });
    const page = await openDashboard('Audit log');
    const log = page.getByRole('table', { name: 'Audit log of Acme' });
    const entry = (action: string) => log.getByRole('row').filter({ has: page.getByRole('cell', { name: action, exact: true }) });
    await entry('member.removed').waitFor();
    for (const action of ['member.added', 'member.role_changed', 'member.removed']) {
      await expect(entry(action).count()).resolves.toBe(1);
      const who = await entry(action).getByRole('cell').nth(1).textContent();
      expect(who).toContain(team.admin.email);
      expect(who).toContain('Super admin');
    }

    const download = page.waitForEvent('download');
    await page.getByRole('button', { name: 'Export audit log (CSV)' }).click();
    const file = await download;
    expect(file.suggestedFilename()).toMatch(/^keywarden-audit-acme-\d{4}-\d{2}-\d{2}\.csv$/);
    const csv = readFileSync((await file.path())!, 'utf8');
    const [header, ...rows] = parse(csv) as string[][];
    expect(header).toEqual(['id', 'at', 'actorUserId', 'actorEmail', 'actorRole', 'action', 'targetCount', 'targetIds', 'details', 'ip', 'userAgent']);
    const records = rows.map((r) => Object.fromEntries(header!.map((h, i) => [h, r[i]])));
    const byAction = (action: string) => records.filter((r) => r.action === action);
    expect(byAction('member.added')).toEqual([expect.objectContaining({ actorEmail: team.admin.email, actorRole: 'super_admin', targetCount: '1' })]);
    const [roleChange] = byAction('member.role_changed');
    expect(roleChange).toMatchObject({ actorEmail: team.admin.email, targetIds: ops.userId });
    expect(JSON.parse(roleChange!.details!)).toEqual({ from: 'member', to: 'admin' });
    const [removal] = byAction('member.removed');
    expect(removal).toMatchObject({ actorEmail: team.admin.email, targetIds: dev.userId });
    expect(JSON.parse(removal!.details!)).toEqual({ role: 'member', disabledKeys: 2 });
    await page.close();
  });

  it('disables a selected key so verify refuses it, then enables it again', async () => {
    const { team, dev, keys, serverKeys } = await acme();
    await team.admin.api.members.remove.mutate({ teamId: team.teamId, userId: dev.userId });
    const page = await openDashboard();
    await statusTagOf(page, 'admin-tools').waitFor();
    // The removed member's keys show why they are disabled, under a "former member".
    expect(await statusTagOf(page, 'dev-ci').textContent()).toBe('DISABLED');
    expect(await statusTagOf(page, 'dev-ci').getAttribute('title')).toBe('owner removed from team');
    await expect(verifyKey(server, keys['admin-tools']!.value)).resolves.toMatchObject({ valid: true });

    await page.getByLabel('Select admin-tools').check();
    await page.getByRole('toolbar', { name: 'Actions on selected keys' }).getByRole('button', { name: 'Disable', exact: true }).click();
    await page.getByRole('status').getByText('Disabled 1 key of Acme.').waitFor();
    await expect.poll(() => statusTagOf(page, 'admin-tools').textContent(), POLL).toBe('DISABLED');
    expect(await page.getByLabel('Select admin-tools').isChecked()).toBe(false);
    await expect(verifyKey(server, keys['admin-tools']!.value)).resolves.toEqual({ valid: false, code: 'DISABLED' });
    expect((await serverKeys())['admin-tools']).toMatchObject({ status: 'disabled', disabledReason: 'manual' });

    await page.getByLabel('Select admin-tools').check();
    await page.getByRole('toolbar', { name: 'Actions on selected keys' }).getByRole('button', { name: 'Enable', exact: true }).click();
    await page.getByRole('status').getByText('Enabled 1 key of Acme.').waitFor();
    await expect.poll(() => statusTagOf(page, 'admin-tools').textContent(), POLL).toBe('ENABLED');
    await expect(verifyKey(server, keys['admin-tools']!.value)).resolves.toMatchObject({ valid: true });
    expect((await serverKeys())['admin-tools']).toMatchObject({ status: 'enabled', disabledReason: null });
    await page.close();
  });

  it('checks a revoked key from the context menu: it reports REVOKED and changes nothing', async () => {
    const { team, ops, keys, serverKeys } = await acme();
    const before = await serverKeys();
    const auditBefore = (await team.admin.api.audit.list.query({ teamId: team.teamId, limit: 200 })).items.length;
    const opened: Page[] = [];
    const onPage = (p: Page) => void opened.push(p);
    ext.context.on('page', onPage);

    const { outcome, notices, confirmTabs, pending } = await ext.worker.evaluate(async (selectionText) => {
      const g = globalThis as any;
      const notifications = g.chrome.notifications;
      const original = notifications.create;
      const notices: { title: string; message: string }[] = [];
      notifications.create = (id: string, options: { title: string; message: string }) => (notices.push({ title: options.title, message: options.message }), original.call(notifications, id, options));
      try {
        const outcome = await g.keywarden.menuClick({ menuItemId: 'keywarden-check', selectionText });
        // Revoking stores the pending revocation and opens its window before the click handler returns.
        const tabs: { url?: string; pendingUrl?: string }[] = await g.chrome.tabs.query({});
        const confirmTabs = tabs.map((t) => t.pendingUrl ?? t.url ?? '').filter((u) => u.includes('confirm.html'));
        const { pendingRevoke } = await g.chrome.storage.session.get('pendingRevoke');
        return { outcome, notices, confirmTabs, pending: pendingRevoke ?? null };
      } finally {
        notifications.create = original;
      }
    }, `  ${keys['ops-leaked']!.value}\n`);

    expect(outcome.kind).toBe('checked');
    expect(outcome.row).toMatchObject({ id: keys['ops-leaked']!.id, name: 'ops-leaked', status: 'revoked', revokedReason: 'manual' });
    expect(notices).toEqual([{ title: 'ops-leaked: REVOKED', message: expect.stringMatching(/in Acme, generated by .*; revoked \(manual\)\.$/) }]);
    expect(notices[0]!.message).toContain(ops.email);

    // No confirmation window was opened, nor a revocation left pending, and nothing was revoked, disabled or recorded.
    expect(confirmTabs).toEqual([]);
    expect(pending).toBeNull();
    ext.context.off('page', onPage);
    expect(opened.map((p) => p.url()).filter((u) => u.includes('confirm.html'))).toEqual([]);
    const after = await serverKeys();
    expect(Object.fromEntries(Object.entries(after).map(([n, k]) => [n, k.status]))).toEqual(Object.fromEntries(Object.entries(before).map(([n, k]) => [n, k.status])));
    expect(after['ops-leaked']!.revokedAt).toEqual(before['ops-leaked']!.revokedAt);
    expect((await team.admin.api.audit.list.query({ teamId: team.teamId, limit: 200 })).items.length).toBe(auditBefore);
  });

  it('reaches the View checkboxes and the search box with Tab, each with its own label', async () => {
    await acme();
    const page = await openDashboard();
    await statusTagOf(page, 'admin-tools').waitFor();
    await page.getByRole('tab', { name: 'Keys' }).focus();

    const order: string[] = [];
    for (let i = 0; i < 12 && !order.includes('Search by key value or name'); i++) {
      await page.keyboard.press('Tab');
      for (const label of ['Enabled', 'Disabled', 'Revoked', 'Search by key value or name']) if (await isFocused(page, label)) order.push(label);
    }
    expect(order).toEqual(['Enabled', 'Disabled', 'Revoked', 'Search by key value or name']);

    // Shift+Tab goes back to Revoked; Space unticks it, and revoked keys leave the table.
    await page.keyboard.press('Shift+Tab');
    expect(await isFocused(page, 'Revoked')).toBe(true);
    await page.keyboard.press('Space');
    expect(await page.getByLabel('Revoked', { exact: true }).isChecked()).toBe(false);
    await expect.poll(() => statusTagOf(page, 'dev-old').count(), POLL).toBe(0);
    await page.keyboard.press('Space');
    await statusTagOf(page, 'dev-old').waitFor();

    // Type a name in the search box and press Enter.
    await page.keyboard.press('Tab');
    await page.keyboard.type('ops-live');
    await page.keyboard.press('Enter');
    await expect.poll(() => page.locator('table.keys tbody td.key-name').allTextContents(), POLL).toEqual(['ops-live']);
    await page.close();
  });
});
