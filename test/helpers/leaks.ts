import type { Keywarden } from '../../server/runtime';

/**
 * A leak whose first report was claimed and then cut short (a crash between the claim and the
 * revoke): what no API can produce on demand, written through the leaks repo.
 */
export async function interruptedFirstReport(server: Keywarden, key: { id: string; teamId: string; ownerId: string }): Promise<void> {
  if (!(await server.storage.repos.leaks.claimHandling(key.teamId, key.id, new Date()))) throw new Error('the key was already reported');
}
