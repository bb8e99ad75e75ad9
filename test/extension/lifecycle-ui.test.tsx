import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Notification } from '../../shared/schemas/notification';
import { KeyTable } from '../../extension/components/KeyTable';
import { KeyRequestList } from '../../extension/components/KeyRequests';
import { MyKeys } from '../../extension/components/MyKeys';
import { NoticeList, noticeHeadline } from '../../extension/components/NoticeList';
import { IdlePolicyCard } from '../../extension/components/IdlePolicyCard';
import { canRotate } from '../../extension/components/RotateKey';
import { desktopNoticeFor } from '../../extension/lib/alerts';
import { needsAction } from '../../extension/lib/lifecycle-notices';
import type { Api } from '../../extension/lib/api';
import { keyRow } from '../helpers/key-row';
import { signedIn } from '../helpers/signed-in';

const PATIENT = { timeout: 30_000 };
const DAY = 24 * 60 * 60_000;

afterEach(() => {
  cleanup();
  vi.restoreAllMocks();
});

const notice = (over: Partial<Notification>): Notification => ({
  id: 'ntf_1',
  teamId: 'team_1',
  teamName: 'Acme',
  kind: 'key_rotated',
  keys: [{ id: 'key_1', name: 'billing', hint: 'kw_Ab…yz', expiresAt: new Date('2026-12-02T10:00:00Z') }],
  revokedKeyIds: [],
  actor: { userId: 'usr_admin', email: 'ann@example.test' },
  reason: null,
  thresholdDays: null,
  message: 'server words',
  createdAt: new Date('2026-12-01T10:00:00Z'),
  readAt: null,
  ...over,
});

describe('lifecycle notices in the popup', () => {
  it('words every new kind and labels it', () => {
    const items: Notification[] = [
      notice({ id: 'ntf_a', kind: 'key_rotated' }),
      notice({ id: 'ntf_b', kind: 'key_rotated', reason: 'grace_ending', actor: null }),
      notice({ id: 'ntf_c', kind: 'key_idle_warning', thresholdDays: 5, actor: null, reason: 'idle' }),
      notice({ id: 'ntf_d', kind: 'key_idle_disabled', actor: { userId: null, email: null }, reason: 'idle' }),
      notice({ id: 'ntf_e', kind: 'key_request_created', actor: { userId: 'usr_m', email: 'mia@example.test' }, reason: 'nightly export' }),
      notice({ id: 'ntf_f', kind: 'key_request_approved' }),
      notice({ id: 'ntf_g', kind: 'key_request_denied', reason: 'use staging' }),
    ];
    render(<NoticeList items={items} busy={false} onMarkRead={() => {}} />);
    for (const label of ['Unused key', 'Disabled (unused)', 'Key request', 'Request approved', 'Request denied']) expect(screen.getByText(label)).toBeTruthy();
    expect(screen.getAllByText('Rotated')).toHaveLength(2);
    expect(noticeHeadline(items[0]!)).toMatch(/^Your key “billing” was rotated by ann@example.test in Acme; the old key works until /);
    expect(noticeHeadline(items[1]!)).toMatch(/still in use and stops working at .* switch to the new key now\.$/);
    expect(noticeHeadline(items[2]!)).toBe('Your key “billing” has not been used for a long time and will be disabled in 5 days in Acme. Use it once to keep it.');
    expect(noticeHeadline(items[3]!)).toBe('Your key “billing” was disabled for not being used in Acme. An admin can enable it again.');
    expect(noticeHeadline(items[4]!)).toBe('mia@example.test asks for a key “billing” in Acme: nightly export.');
    expect(noticeHeadline(items[5]!)).toBe('Your request for “billing” was approved by ann@example.test in Acme. Generate the key within 7 days.');
    expect(noticeHeadline(items[6]!)).toBe('Your request for “billing” was denied by ann@example.test in Acme: use staging.');
  });

  it('raises a desktop notification for notices that ask for action, not for the others', () => {
    expect(needsAction({ kind: 'key_request_created' })).toBe(true);
    expect(needsAction({ kind: 'key_idle_warning' })).toBe(true);
    expect(needsAction({ kind: 'key_request_approved' })).toBe(true);
    expect(needsAction({ kind: 'key_rotated', reason: 'grace_ending' })).toBe(true);
    expect(needsAction({ kind: 'key_rotated', reason: null })).toBe(false);
    expect(needsAction({ kind: 'key_idle_disabled' })).toBe(false);
    expect(desktopNoticeFor({ id: 'ntf_e', kind: 'key_request_created', message: 'mia asks' })).toEqual({ id: 'notice:ntf_e', title: 'A key request is waiting for you', message: 'mia asks' });
  });
});

describe('rotation and idle keys in the lists', () => {
  it('shows "rotating — old key works until …" on the old row and links the new one, and "unused for N days"', () => {
    const now = Date.now();
    const rows = [
      keyRow({ id: 'key_old', name: 'old', rotation: { replacedBy: 'key_new', graceEndsAt: new Date(now + DAY) } }),
      keyRow({ id: 'key_new', name: 'new', replaces: 'key_old', createdAt: new Date(now) }),
      keyRow({ id: 'key_idle', name: 'idle', createdAt: new Date(now - 200 * DAY), lastUsedAt: new Date(now - 94 * DAY - 60_000) }),
    ];
    const { container } = render(<KeyTable rows={rows} caption="Keys" />);
    expect(container.textContent).toContain('rotating — old key works until');
    expect(screen.getByText('new key').getAttribute('href')).toBe('#key-key_new');
    expect(screen.getByText('the previous key').getAttribute('href')).toBe('#key-key_old');
    expect(screen.getByText('unused for 94 days')).toBeTruthy();
    expect(container.querySelector('#key-key_new')).toBeTruthy();
  });

  it('offers Rotate next to Revoke, and rotates with the chosen grace', async () => {
    const rotate = vi.fn(async (input: { graceHours: number }) => ({
      key: 'kw_newsecret',
      row: keyRow({ id: 'key_new', name: 'ci', replaces: 'key_1' }),
      previous: keyRow({ id: 'key_1', name: 'ci', rotation: { replacedBy: 'key_new', graceEndsAt: new Date(Date.now() + input.graceHours * 3_600_000) } }),
    }));
    const api = { keys: { rotate: { mutate: rotate } } } as unknown as Api;
    const onRotated = vi.fn();
    render(signedIn(api, <MyKeys rows={[keyRow()]} onRevoke={() => {}} rotate={{ teamId: 'team_1', onRotated }} />));
    const buttons = screen.getAllByRole('button').map((b) => b.textContent);
    expect(buttons.indexOf('Rotate')).toBeGreaterThanOrEqual(0);
    expect(buttons.indexOf('Rotate')).toBeLessThan(buttons.indexOf('Revoke'));

    fireEvent.click(screen.getByRole('button', { name: 'Rotate ci' }));
    const grace = screen.getByRole('combobox', { name: 'Grace period' }) as HTMLSelectElement;
    expect([...grace.options].map((o) => o.textContent)).toEqual(['no time (revoke now)', '1 hour', '24 hours', '7 days']);
    fireEvent.change(grace, { target: { value: '168' } });
    fireEvent.click(screen.getByRole('button', { name: 'Rotate key' }));
    await waitFor(() => expect(screen.getByDisplayValue('kw_newsecret')).toBeTruthy(), PATIENT);
    expect(rotate).toHaveBeenCalledWith({ teamId: 'team_1', keyId: 'key_1', graceHours: 168 });
    expect(onRotated).not.toHaveBeenCalled();
  });
});

describe('key requests and the idle policy for admins', () => {
  it('lists pending requests with Approve and Deny', async () => {
    const pending = {
      id: 'kreq_1',
      teamId: 'team_1',
      requester: { userId: 'usr_m', email: 'mia@example.test' },
      name: 'ci deploy',
      reason: 'deploys from CI',
      expiresInDays: null,
      state: 'pending' as const,
      createdAt: new Date(),
      decidedAt: null,
      decidedBy: null,
      note: null,
      grantExpiresAt: null,
      keyId: null,
    };
    const approve = vi.fn(async () => ({ ...pending, state: 'approved' as const }));
    const api = { keyRequests: { list: { query: async () => [pending] }, approve: { mutate: approve } } } as unknown as Api;
    render(signedIn(api, <KeyRequestList teamId="team_1" state="pending" />));
    await waitFor(() => expect(screen.getByText('deploys from CI')).toBeTruthy(), PATIENT);
    expect(screen.getByRole('button', { name: 'Deny ci deploy for mia@example.test' })).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Approve ci deploy for mia@example.test' }));
    await waitFor(() => expect(approve).toHaveBeenCalledWith({ teamId: 'team_1', requestId: 'kreq_1' }), PATIENT);
    await waitFor(() => expect(screen.queryByText('deploys from CI')).toBeNull(), PATIENT);
  });

  it('previews the idle policy before saving it', async () => {
    const preview = vi.fn(async () => ({ disableNow: 2, warn: 3, byOwner: [{ userId: 'usr_1', email: 'ann@example.test', disableNow: 2, warn: 3 }] }));
    const update = vi.fn(async (input: Record<string, unknown>) => ({ settings: { allowMemberKeyGeneration: true, maxLifetimeDays: null, expiryWarningDays: [7], ...input }, policy: null }));
    const api = { settings: { previewIdlePolicy: { query: preview }, update: { mutate: update } } } as unknown as Api;
    render(signedIn(api, <IdlePolicyCard teamId="team_1" value={{ allowMemberKeyGeneration: true, maxLifetimeDays: null, expiryWarningDays: [7], leakResponse: 'revoke', idleDisableDays: null, idleWarningDays: 7 }} onSaved={() => {}} />));
    fireEvent.click(screen.getByRole('checkbox', { name: 'Disable keys unused for' }));
    fireEvent.click(screen.getByRole('button', { name: 'See what it would do' }));
    await waitFor(() => expect(screen.getByText('2 keys would be disabled at once; 3 keys would be warned.')).toBeTruthy(), PATIENT);
    expect(update).not.toHaveBeenCalled();
    fireEvent.click(screen.getByRole('button', { name: 'Save policy' }));
    await waitFor(() => expect(update).toHaveBeenCalledWith({ teamId: 'team_1', idleDisableDays: 90, idleWarningDays: 7 }), PATIENT);
  });
});

describe('canRotate', () => {
  it('offers Rotate for a working key, never for a canary, a rotating, disabled or revoked key', () => {
    expect(canRotate(keyRow({ status: 'enabled' }))).toBe(true);
    expect(canRotate(keyRow({ status: 'enabled', canary: true }))).toBe(false);
    expect(canRotate(keyRow({ status: 'enabled', rotation: { replacedBy: 'key_new', graceEndsAt: new Date(Date.now() + DAY) } }))).toBe(false);
    expect(canRotate(keyRow({ status: 'disabled' }))).toBe(false);
    expect(canRotate(keyRow({ status: 'revoked' }))).toBe(false);
  });
});
