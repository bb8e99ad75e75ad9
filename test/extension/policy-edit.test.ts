import { describe, expect, it } from 'vitest';
import { addressesOf, changeOf, draftOf, entries, isNarrowing, type PolicyFields } from '../../extension/lib/policy-edit';

const BEFORE: PolicyFields = {
  permissions: ['docs.read', 'docs.write'],
  roles: ['support'],
  restrictions: { ips: ['10.0.0.0/8'], origins: [] },
  meta: { plan: 'pro' },
  externalId: 'customer_42',
};
const ADMIN = { permissions: true, externalId: true };

describe('policy edits', () => {
  it('reads lists one a line or comma-separated', () => {
    expect(entries(' a.b ,c\n\n d ')).toEqual(['a.b', 'c', 'd']);
  });

  it('changes nothing when the draft is the policy as shown', () => {
    expect(changeOf(BEFORE, draftOf(BEFORE), ADMIN)).toEqual({ ok: true, change: {} });
  });

  it('sends only the fields that changed, in any order of their entries', () => {
    const draft = { ...draftOf(BEFORE), permissions: 'docs.write\ndocs.read', externalId: '', meta: '{"plan":"team"}' };
    expect(changeOf(BEFORE, draft, ADMIN)).toEqual({ ok: true, change: { externalId: null, meta: { plan: 'team' } } });
  });

  it('never sends what the viewer may not change', () => {
    const draft = { ...draftOf(BEFORE), permissions: '', externalId: 'other' };
    expect(changeOf(BEFORE, draft, { permissions: false, externalId: false })).toEqual({ ok: true, change: {} });
  });

  it.each([
    [{ permissions: ['docs.read'] }, true],
    [{ permissions: ['docs.read', 'docs.write', 'billing.*'] }, false],
    [{ roles: [] }, true],
    [{ roles: ['support', 'billing'] }, false],
    [{ restrictions: { ips: ['10.0.0.0/8', '192.168.0.0/16'], origins: [] } }, false],
    [{ restrictions: { ips: ['10.1.0.0/16'], origins: [] } }, true],
    [{ restrictions: { ips: [], origins: [] } }, false],
    [{ restrictions: { ips: ['10.0.0.0/8'], origins: ['https://app.example.com'] } }, true],
    [{ meta: null }, false],
    [{ externalId: null }, false],
  ] as const)('%j narrows: %s', (change, narrowing) => {
    expect(isNarrowing(BEFORE, change as never)).toBe(narrowing);
  });

  it('takes the distinct addresses of a preview’s samples, most frequent first', () => {
    expect(addressesOf([{ ip: '198.51.100.7' }, {}, { ip: '203.0.113.5' }, { ip: '198.51.100.7' }])).toEqual(['198.51.100.7', '203.0.113.5']);
  });
});
