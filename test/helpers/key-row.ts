import type { KeyRow } from '../../shared/schemas/key';

/** A KeyRow as the server would send it, for extension tests that need one. */
export const keyRow = (over: Partial<KeyRow> = {}): KeyRow => ({
  id: 'key_1',
  name: 'ci',
  hint: 'kw_AbCd…wxyz',
  status: 'enabled',
  revokedReason: null,
  disabledReason: null,
  createdAt: new Date('2026-01-01'),
  expiresAt: null,
  revokedAt: null,
  lastUsedAt: null,
  generatedBy: { userId: 'usr_1', email: 'm@example.test', name: 'M', role: 'member' },
  usage: { last24h: 0, last7d: 0 },
  triedAfterRevoke: 0,
  permissions: [],
  roles: [],
  restrictions: { ips: [], origins: [] },
  meta: null,
  externalId: null,
  ...over,
});
