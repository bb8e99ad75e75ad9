import type { Keywarden } from '../../server/runtime';

/**
 * A leak whose first report was claimed and then cut short (a crash between the claim and the
 * revoke): what no API can produce on demand, written through the leaks repo.
 */
export async function interruptedFirstReport(server: Keywarden, key: { id: string; teamId: string; ownerId: string }): Promise<void> {
  await server.storage.repos.leaks.claimFirst({
    keyId: key.id,
    teamId: key.teamId,
    ownerId: key.ownerId,
    source: 'github',
    url: 'https://github.com/acme/app/blob/main/.env',
    note: null,
    at: new Date(),
    action: 'none',
    actionId: null,
    ip: null,
    userAgent: null,
  });
}
