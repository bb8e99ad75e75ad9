import type { KeysRepo } from '../db/keys.repo';
import type { TeamsRepo } from '../db/teams.repo';
import type { UsersRepo } from '../db/users.repo';
import type { KeysService } from './keys.service';
import type { UseSource } from './usage-recorder';
import type { VerifyService } from './verify.service';

/** What a key's holder may learn about the key they present (`GET /v1/me`). */
export function keyHolderService(repos: { keys: KeysRepo; teams: TeamsRepo; users: UsersRepo }, verify: VerifyService, keys: KeysService) {
  return {
    /**
     * Verifies the key (counted as a use) and answers its owner, team and row, or why it is not
     * valid. Here the holder calls Keywarden itself, so its own address and origin are the context.
     */
    async me(value: string, source: UseSource, origin?: string) {
      // Asking who one is spends no credits and no rate-limit budget.
      const result = await verify.verify(value, source, { context: { ip: source.ip ?? undefined, origin } }, null);
      if (!result.valid) return { invalid: result.code };
      const [team, owner, stored] = await Promise.all([
        repos.teams.findTeam(result.teamId),
        repos.users.findById(result.ownerId),
        repos.keys.findByPublicId(result.teamId, result.keyId),
      ]);
      if (!team || !owner || !stored) return { invalid: 'NOT_FOUND' as const };
      const [row] = await keys.rows(result.teamId, [stored]);
      return { team: { id: team.id, name: team.name }, owner: { id: owner.id, email: owner.email, name: owner.name }, key: row };
    },
  };
}
export type KeyHolderService = ReturnType<typeof keyHolderService>;
