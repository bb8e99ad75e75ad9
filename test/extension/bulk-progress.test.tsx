import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/preact';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { BulkBar } from '../../extension/entrypoints/dashboard/BulkBar';
import type { Api } from '../../extension/lib/api';
import { signedIn } from '../helpers/signed-in';

const PATIENT = { timeout: 30_000 };
afterEach(cleanup);

/** Issue 21, item 5: while a bulk call is out, the dashboard shows the keys done of total the server records. */
describe('progress of a long bulk action', () => {
  it('shows keys done of total in the Revoke All dialog while the call runs, then the report', async () => {
    let finish!: (r: { revoked: string[]; alreadyRevoked: string[]; notFound: string[] }) => void;
    const revokeAll = vi.fn(() => new Promise((resolve) => (finish = resolve)));
    const figures = [{ actionId: 'act_1', kind: 'revoke_all', done: 400, total: 2000 }];
    const actionProgress = vi.fn(async () => ({ running: figures }));
    const api = { keys: { revokeAll: { mutate: revokeAll }, actionProgress: { query: actionProgress }, counts: { query: async () => ({ enabled: 2000, disabled: 0, revoked: 0 }) } }, usage: {} } as unknown as Api;
    const onReport = vi.fn();
    const onChange = vi.fn();
    render(signedIn(api, <BulkBar team={{ teamId: 'team_1', name: 'Acme', role: 'admin' }} selectedIds={[]} matching={null} onChange={onChange} onStale={() => {}} onReport={onReport} />));

    // No call out, no polling.
    expect(actionProgress).not.toHaveBeenCalled();
    fireEvent.click(screen.getByRole('button', { name: 'Revoke all…' }));
    const dialog = screen.getByRole('dialog', { hidden: true });
    fireEvent.input(within(dialog).getByLabelText('Type REVOKE ALL to confirm'), { target: { value: 'REVOKE ALL' } });
    fireEvent.submit(dialog.querySelector('form')!);

    await waitFor(() => expect(within(dialog).getByRole('status', { hidden: true }).textContent).toContain('400 of 2,000 keys done'), PATIENT);
    expect(actionProgress).toHaveBeenCalledWith({ teamId: 'team_1' });
    finish({ revoked: Array.from({ length: 2000 }, (_, i) => `key_${i}`), alreadyRevoked: [], notFound: [] });
    await waitFor(() => expect(onReport).toHaveBeenCalledWith('Revoked all 2,000 keys of Acme. Owners were notified.'), PATIENT);
    expect(onChange).toHaveBeenCalledWith({ kind: 'revokedAll' });
    expect(screen.queryByRole('status', { hidden: true })).toBeNull();
  });
});
