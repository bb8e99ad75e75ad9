import { cleanup, fireEvent, render } from '@testing-library/preact';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { KeyFilters, keyFiltersOf, type KeyFilterState } from '../../extension/components/KeyFilters';

afterEach(cleanup);

const BASE: KeyFilterState = { view: ['enabled'], search: '', generatedBy: [], sort: 'newest' };
const ROLES = [
  { name: 'support', permissions: [], description: '', memberAssignable: true },
  { name: 'billing', permissions: ['billing.*'], description: '', memberAssignable: false },
];

describe('the Role and Identity filters', () => {
  it('pass the chosen role and identity on, as the one KeyFilters object', () => {
    const onChange = vi.fn();
    render(<KeyFilters value={BASE} members={[]} roles={ROLES} searchError={null} onChange={onChange} onSearch={vi.fn()} />);
    fireEvent.change(document.querySelector('select[name="role"]')!, { target: { value: 'billing' } });
    expect(onChange).toHaveBeenLastCalledWith({ ...BASE, role: 'billing' });
    fireEvent.change(document.querySelector('input[name="externalId"]')!, { target: { value: ' acme ' } });
    expect(onChange).toHaveBeenLastCalledWith({ ...BASE, externalId: 'acme' });

    expect(keyFiltersOf('team_1', { ...BASE, role: 'billing', externalId: 'acme' })).toEqual({
      teamId: 'team_1',
      view: ['enabled'],
      search: undefined,
      generatedBy: undefined,
      idleDays: undefined,
      role: 'billing',
      externalId: 'acme',
    });
    expect(keyFiltersOf('team_1', { ...BASE, role: null, externalId: '' })).toMatchObject({ role: undefined, externalId: undefined });
  });

  it('offers no Role filter to a team without roles', () => {
    render(<KeyFilters value={BASE} members={[]} roles={[]} searchError={null} onChange={vi.fn()} onSearch={vi.fn()} />);
    expect(document.querySelector('select[name="role"]')).toBeNull();
  });
});
