import type { KeyRow } from '../../shared/schemas/key';
import type { KeyLimitsInput } from '../../shared/schemas/limits';
import type { KeysRepo } from '../db/keys.repo';
import { notFound } from '../errors';
import type { KeysService } from './keys.service';
import type { LimitsService } from './limits.service';

/**
 * An admin sets a key's rate limits and credits (keys.update): the change is one write on the key,
 * then every instance's verify cache is told (as for a revocation), so the new limits apply within
 * the same bound. Setting credits is a top-up: the balance is set, and "credits low" is measured
 * from it until the next refill.
 */
export function keyLimitsService(
  repos: { keys: KeysRepo },
  limits: Pick<LimitsService, 'setKeyLimits'>,
  keys: Pick<KeysService, 'rows'>,
  keyStateChanged: () => Promise<void>,
) {
  return {
    async update(teamId: string, keyId: string, input: KeyLimitsInput): Promise<KeyRow> {
      if (!(await limits.setKeyLimits(teamId, keyId, input))) throw notFound('Key not found.');
      await keyStateChanged();
      const stored = await repos.keys.findByPublicId(teamId, keyId);
      if (!stored) throw notFound('Key not found.');
      return (await keys.rows(teamId, [stored]))[0]!;
    },
  };
}
export type KeyLimitsService = ReturnType<typeof keyLimitsService>;
