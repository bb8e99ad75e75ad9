import { describe, expect, it, vi } from 'vitest';
import { checksumOf, generateKey, KEY_PREFIX } from '../../shared/key-format';
import { handleMenuClick, MENU_CHECK, MENU_REVOKE, registerMenus, type MenuDeps } from '../../extension/lib/context-menu';
import type { Session } from '../../extension/lib/storage';
import { keyRow } from '../helpers/key-row';

const session: Session = {
  token: 'tok',
  serverUrl: 'http://kw.test',
  user: { id: 'usr_1', email: 'm@example.test', name: 'M' },
  teams: [
    { teamId: 'team_a', name: 'Alpha', role: 'member' },
    { teamId: 'team_b', name: 'Beta', role: 'admin' },
  ],
};

const row = keyRow;

function fakeDeps(lookup: MenuDeps['lookup'] = async () => null, s: Session | null = session) {
  return {
    session: vi.fn(async () => s),
    lookup: vi.fn(lookup),
    notify: vi.fn(async () => {}),
    confirm: vi.fn(async () => {}),
    openSignIn: vi.fn(async () => {}),
  } satisfies MenuDeps;
}

describe('the context menu', () => {
  it('registers "Revoke this API key" and "Check this API key" on selections', async () => {
    const created: unknown[] = [];
    await registerMenus({ removeAll: async () => {}, create: (p) => created.push(p) });
    expect(created).toEqual([
      { id: MENU_REVOKE, title: 'Revoke this API key', contexts: ['selection'] },
      { id: MENU_CHECK, title: 'Check this API key', contexts: ['selection'] },
    ]);
  });

  it('rejects a string with a bad checksum locally: a notification, no session read, no request', async () => {
    const key = generateKey();
    const bad = key.slice(0, -1) + (key.endsWith('A') ? 'B' : 'A');
    const deps = fakeDeps();
    const outcome = await handleMenuClick({ menuItemId: MENU_REVOKE, selectionText: bad }, deps);
    expect(outcome).toEqual({ kind: 'not_a_key', message: expect.stringMatching(/checksum/) });
    expect(deps.session).not.toHaveBeenCalled();
    expect(deps.lookup).not.toHaveBeenCalled();
    expect(deps.notify).toHaveBeenCalledWith('Not a Keywarden API key', expect.stringMatching(/checksum/));
  });

  it('says what is wrong with text that is not a key at all', async () => {
    const outcome = await handleMenuClick({ menuItemId: MENU_CHECK, selectionText: 'hello world' }, fakeDeps());
    expect(outcome).toEqual({ kind: 'not_a_key', message: 'An API key starts with "kw_".' });
  });

  it('trims the selection, finds the key in whichever team knows it, and asks for confirmation before revoking', async () => {
    const key = generateKey();
    const deps = fakeDeps(async (_s, teamId, k) => (teamId === 'team_b' && k === key ? row() : null));
    const outcome = await handleMenuClick({ menuItemId: MENU_REVOKE, selectionText: `\n  ${key}  ` }, deps);
    expect(outcome.kind).toBe('confirming');
    expect(deps.confirm).toHaveBeenCalledWith(expect.objectContaining({ teamId: 'team_b', teamName: 'Beta', admin: true, key: expect.objectContaining({ id: 'key_1', hint: 'kw_AbCd…wxyz' }) }));
    // The plaintext key itself is never handed to the confirmation window.
    expect(JSON.stringify(deps.confirm.mock.calls)).not.toContain(key);
  });

  it('reports the status of a checked key without confirming anything', async () => {
    const deps = fakeDeps(async () => row({ status: 'disabled' }));
    const outcome = await handleMenuClick({ menuItemId: MENU_CHECK, selectionText: generateKey() }, deps);
    expect(outcome.kind).toBe('checked');
    expect(deps.notify).toHaveBeenCalledWith('ci: DISABLED', expect.stringContaining('Alpha'));
    expect(deps.confirm).not.toHaveBeenCalled();
  });

  it('does not offer to revoke a key that is already revoked', async () => {
    const deps = fakeDeps(async () => row({ status: 'revoked', revokedReason: 'expired' }));
    expect((await handleMenuClick({ menuItemId: MENU_REVOKE, selectionText: generateKey() }, deps)).kind).toBe('already_revoked');
    expect(deps.confirm).not.toHaveBeenCalled();
  });

  it('sends a signed-out user to sign in', async () => {
    const deps = fakeDeps(undefined, null);
    expect(await handleMenuClick({ menuItemId: MENU_REVOKE, selectionText: generateKey() }, deps)).toEqual({ kind: 'signed_out' });
    expect(deps.openSignIn).toHaveBeenCalled();
  });

  it('tells a well-formed but unknown key apart from an unreachable server', async () => {
    const random = 'a'.repeat(30);
    const key = KEY_PREFIX + random + checksumOf(random);
    expect((await handleMenuClick({ menuItemId: MENU_CHECK, selectionText: key }, fakeDeps())).kind).toBe('not_found');
    const down = fakeDeps(async () => Promise.reject(new TypeError('Failed to fetch')));
    expect(await handleMenuClick({ menuItemId: MENU_CHECK, selectionText: key }, down)).toEqual({ kind: 'error', message: expect.stringMatching(/Can't reach/) });
  });
});
