import { act, renderHook } from '@testing-library/preact';
import { describe, expect, it } from 'vitest';
import type { KeyStatus } from '../../shared/schemas/key';
import type { KeyFilterState } from '../../extension/components/KeyFilters';
import { useKeyList } from '../../extension/hooks/use-key-list';
import type { Api } from '../../extension/lib/api';
import { signedIn } from '../helpers/signed-in';

describe('useKeyList', () => {
  it('keeps the table empty when a page requested before every status was unticked lands late', async () => {
    let answer!: (page: unknown) => void;
    const api = { keys: { list: { query: () => new Promise((resolve) => (answer = resolve)) } } } as unknown as Api;
    const filters = (view: KeyStatus[]): KeyFilterState => ({ view, search: '', generatedBy: [], sort: 'newest' });
    const { result, rerender } = renderHook(({ f }) => useKeyList('team_1', f), { wrapper: ({ children }) => signedIn(api, children), initialProps: { f: filters(['enabled']) } });
    rerender({ f: filters([]) });
    await act(async () => answer({ items: [{ id: 'key_1' }], counts: null, nextCursor: null }));
    expect(result.current.rows).toEqual([]);
    expect(result.current.status).toBe('ok');
  });
});
