import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/preact';
import { TRPCClientError } from '@trpc/client';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Notification } from '../../shared/schemas/notification';
import { MyKeys } from '../../extension/components/MyKeys';
import { NoticeList } from '../../extension/components/NoticeList';
import { ProblemBox } from '../../extension/components/ProblemBox';
import { SecretOnce } from '../../extension/components/SecretOnce';
import { ServerForm } from '../../extension/components/ServerForm';
import { describeError, describeSignInError } from '../../extension/lib/errors';
import { keyRow } from '../helpers/key-row';
import { wordedNotice } from '../helpers/worded-notice';

/** Alerts built for volume, and errors that say what is wrong. */
const PATIENT = { timeout: 30_000 };

afterEach(() => {
  cleanup();
  vi.restoreAllMocks();
});

const notice = (over: Partial<Notification> = {}): Notification => wordedNotice({
  id: 'ntf_1',
  teamId: 'team_1',
  teamName: 'Acme',
  kind: 'key_revoked',
  keys: [{ id: 'key_1', name: 'ci', hint: 'kw_AbCd…wxyz', expiresAt: null }],
  revokedKeyIds: ['key_1'],
  actor: { userId: 'usr_admin', email: 'admin@example.test' },
  reason: 'manual',
  thresholdDays: null,
  createdAt: new Date('2026-01-02T10:00:00Z'),
  readAt: null,
  ...over,
});

/** The notices are worded by the server's templates (helpers/worded-notice.ts); NoticeList shows them as given. */
describe('NoticeList', () => {
  it('sums up a notice about 667 keys in one line with the first three named, not a chip per key', () => {
    const keys = Array.from({ length: 667 }, (_, i) => ({ id: `key_${i}`, name: `k${i}`, hint: 'kw_…', expiresAt: null }));
    const open = vi.fn();
    const { container } = render(
      <NoticeList items={[notice({ keys, revokedKeyIds: keys.map((k) => k.id), reason: 'revoke_all' })]} busy={false} onMarkRead={vi.fn()} onOpenDashboard={open} />,
    );
    expect(screen.getByText('667 of your keys were revoked by admin@example.test (Revoke All) in Acme.')).toBeTruthy();
    expect(container.querySelectorAll('.chip')).toHaveLength(0);
    expect(container.querySelector('.notice-keys')!.textContent).toContain('“k0”, “k1”, “k2” and 664 more.');
    fireEvent.click(screen.getByRole('button', { name: 'Open in dashboard' }));
    expect(open).toHaveBeenCalled();
  });

  it('reads right for one key revoked by hand, and offers a replacement where the member may generate', () => {
    const replace = vi.fn();
    render(<NoticeList items={[notice()]} busy={false} onMarkRead={vi.fn()} canReplace={() => true} onReplace={replace} />);
    expect(screen.getByText('Your key “ci” was revoked by admin@example.test in Acme.')).toBeTruthy();
    expect(screen.queryByText(/by hand/)).toBeNull();
    fireEvent.click(screen.getByRole('button', { name: 'Generate a replacement' }));
    expect(replace).toHaveBeenCalledWith(expect.objectContaining({ id: 'ntf_1' }));
  });

  it('does not say the policy ended a key it only shortened', () => {
    render(<NoticeList items={[notice({ kind: 'policy_changed', reason: 'policy', revokedKeyIds: [] })]} busy={false} onMarkRead={vi.fn()} />);
    expect(screen.getByText('The expiry policy of Acme shortened the life of your key “ci”.')).toBeTruthy();
  });

  it('shows a few notices and a "N more" link for the rest', () => {
    const items = Array.from({ length: 7 }, (_, i) => notice({ id: `ntf_${i}` }));
    render(<NoticeList items={items} busy={false} visible={3} onMarkRead={vi.fn()} />);
    expect(screen.getAllByRole('listitem')).toHaveLength(3);
    fireEvent.click(screen.getByRole('button', { name: 'Show 4 more alerts' }));
    expect(screen.getAllByRole('listitem')).toHaveLength(7);
  });
});

describe('MyKeys', () => {
  it('lets a member revoke a live key after a question, and highlights one expiring within the warning window', () => {
    const revoke = vi.fn();
    const rows = [keyRow({ id: 'key_1', name: 'ci', expiresAt: new Date(Date.now() + 3 * 86_400_000 + 60_000) }), keyRow({ id: 'key_2', name: 'old', status: 'revoked', revokedReason: 'manual', revokedAt: new Date() })];
    const { container } = render(<MyKeys rows={rows} warnDays={7} onRevoke={revoke} />);
    expect(container.querySelector('.expiring-soon')!.textContent).toBe('expires in 3 days');
    expect(screen.getAllByRole('button').map((b) => b.getAttribute('aria-label'))).toEqual(['Revoke ci']);
    fireEvent.click(screen.getByRole('button', { name: 'Revoke ci' }));
    expect(screen.getByRole('group').textContent).toContain('Revoke “ci”? Anything using it stops working at once.');
    fireEvent.click(screen.getByRole('button', { name: 'Revoke key' }));
    expect(revoke).toHaveBeenCalledWith(expect.objectContaining({ id: 'key_1' }));
  });
});

describe('errors', () => {
  it('calls a refused sign-in code a wrong code, not an expired session', () => {
    const err = new TRPCClientError('That code is not valid.', { result: { error: { code: -32001, message: 'That code is not valid.', data: { code: 'UNAUTHORIZED' } } } } as never);
    const problem = describeSignInError(err, 'http://kw.test');
    render(<ProblemBox problem={problem} />);
    expect(screen.getByRole('alert').textContent).toBe('Wrong codeThat code is not valid.');
  });

  it('tells a server that is not Keywarden from one that is down', () => {
    const notJson = TRPCClientError.from(new SyntaxError('Unexpected token < in JSON'));
    expect(describeError(notJson, 'http://kw.test/api')).toMatchObject({ kind: 'not_keywarden', message: expect.stringContaining('not as Keywarden does') });
    const down = TRPCClientError.from(new TypeError('Failed to fetch'));
    expect(describeError(down, 'http://kw.test')).toMatchObject({ kind: 'offline' });
  });

  it('shows "server unreachable" once however many sections hit it, and its retry retries them all', async () => {
    const retries = [vi.fn(), vi.fn(), vi.fn()];
    const problem = describeError(new TypeError('Failed to fetch'), 'http://kw.test');
    render(
      <div>
        {retries.map((retry, i) => (
          <ProblemBox key={i} problem={problem} onRetry={retry} />
        ))}
      </div>,
    );
    await waitFor(() => expect(screen.getAllByRole('alert')).toHaveLength(1), PATIENT);
    fireEvent.click(screen.getByRole('button', { name: 'Try again' }));
    for (const retry of retries) expect(retry).toHaveBeenCalledOnce();
  });
});

describe('ServerForm', () => {
  it('says a 404 at /health is not a Keywarden server, and drops the message once the URL is edited', async () => {
    vi.spyOn(globalThis, 'fetch').mockImplementation(async () => new Response('<html>Not found</html>', { status: 404 }));
    render(<ServerForm serverUrl="http://kw.test/wrong" session={null} />);
    fireEvent.click(screen.getByRole('button', { name: 'Test connection' }));
    const status = await screen.findByText(/not a Keywarden server/, {}, PATIENT);
    expect(status.textContent).toContain('it has no /health');
    expect(status.textContent).not.toMatch(/database/);
    fireEvent.input(screen.getByLabelText('Keywarden server URL'), { target: { value: 'http://kw.test' } });
    expect(screen.queryByText(/not a Keywarden server/)).toBeNull();
  });

  it('says the database is down only when Keywarden itself says so', async () => {
    vi.spyOn(globalThis, 'fetch').mockImplementation(async () => Response.json({ ok: false, db: 'unavailable' }, { status: 503 }));
    render(<ServerForm serverUrl="http://kw.test" session={null} />);
    fireEvent.click(screen.getByRole('button', { name: 'Test connection' }));
    await screen.findByText('The Keywarden server at http://kw.test is running, but its database is unavailable. Try again in a moment.', {}, PATIENT);
  });
});

describe('SecretOnce', () => {
  it('is put away only after the user confirms they copied it', () => {
    const done = vi.fn();
    render(<SecretOnce secret="kw_secret" name="ci" onDone={done} />);
    const doneButton = screen.getByRole('button', { name: 'Done' }) as HTMLButtonElement;
    expect(doneButton.disabled).toBe(true);
    fireEvent.click(screen.getByLabelText('I have copied the key and stored it safely'));
    expect(doneButton.disabled).toBe(false);
    fireEvent.click(doneButton);
    expect(done).toHaveBeenCalled();
  });
});
