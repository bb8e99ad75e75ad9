import { generateToken, keyHint, parseToken } from '../../shared/key-format';
import { isAdminRole, type Role } from '../../shared/schemas/common';
import type { LeakSource } from '../../shared/schemas/leak';
import type { CreateTokenInput, TokenRow, TokenScope } from '../../shared/schemas/token';
import { DAY_MS } from '../../shared/time';
import type { TeamsRepo } from '../db/teams.repo';
import type { StoredToken, TokensRepo } from '../db/tokens.repo';
import type { UsersRepo } from '../db/users.repo';
import type { WebhooksRepo } from '../db/webhooks.repo';
import type { Deps } from '../deps';
import { afterWrite, notFound } from '../errors';
import { hashKey, newId } from '../lib/ids';
import type { Actor } from './actor';
import type { AuditService } from './audit.service';
import type { LeakAlerts } from './leak-alerts';

/** A token that authenticated: who it acts as (its creator, with their role now) and what it may do. */
export interface TokenCaller {
  tokenId: string;
  name: string;
  teamId: string;
  scopes: TokenScope[];
  createdBy: string;
  /** The creator's role in the team now (an admin role, or the token would not authenticate). */
  role: Role;
  email: string;
}

/** lastUsedAt is written at most once a minute per token: cheap on a busy token, close enough to read. */
const TOUCH_EVERY_MS = 60_000;

const toRow = (t: StoredToken): TokenRow => ({
  id: t.id,
  name: t.name,
  hint: t.hint,
  scopes: t.scopes,
  createdAt: t.createdAt,
  createdBy: t.createdBy,
  expiresAt: t.expiresAt,
  lastUsedAt: t.lastUsedAt,
});

/**
 * Team API tokens: issued by admins, each with scopes; the value is shown once and stored only
 * under the HMAC, like a key. A token never does more than its creator could: when the creator
 * is no longer an admin of the team, the token stops authenticating.
 */
export function tokensService(
  deps: Deps,
  repos: { tokens: TokensRepo; teams: TeamsRepo; users: UsersRepo; webhooks: Pick<WebhooksRepo, 'disableAddedByToken'> },
  audit: AuditService,
  alerts: Pick<LeakAlerts, 'tokenLeaked'>,
) {
  return {
    /** The caller is an admin of the team (adminProcedure decided). */
    async create(actor: Actor, input: CreateTokenInput): Promise<{ token: string; row: TokenRow }> {
      const now = deps.now();
      const token = generateToken();
      const stored: StoredToken = {
        id: newId('tok'),
        teamId: input.teamId,
        name: input.name,
        hint: keyHint(token),
        scopes: input.scopes,
        createdAt: now,
        createdBy: actor.userId!,
        expiresAt: input.expiresInDays === undefined ? null : new Date(now.getTime() + input.expiresInDays * DAY_MS),
        lastUsedAt: null,
        revokedAt: null,
        revokedReason: null,
      };
      return afterWrite(async () => {
        await repos.tokens.insert(hashKey(deps.pepper, token), stored);
        await audit.record({ teamId: input.teamId, action: 'token.created', actor, targetIds: [stored.id], details: { name: stored.name, scopes: stored.scopes, expiresAt: stored.expiresAt } });
        return { token, row: toRow(stored) };
      });
    },

    async list(teamId: string): Promise<TokenRow[]> {
      return (await repos.tokens.listLive(teamId)).map(toRow);
    },

    /** Idempotent: a token already revoked answers `revoked: false`; one not in the team is NOT_FOUND. */
    async revoke(actor: Actor, teamId: string, tokenId: string): Promise<{ revoked: boolean }> {
      const found = await repos.tokens.findInTeam(teamId, tokenId);
      if (!found) throw notFound('Token not found.');
      const revoked = await repos.tokens.revoke(teamId, tokenId, deps.now(), 'manual');
      if (revoked) {
        await afterWrite(() => audit.record({ teamId, action: 'token.revoked', actor, targetIds: [tokenId], details: { name: found.name, reason: 'manual' } }));
      }
      return { revoked };
    },

    /**
     * Revokes every live token `userId` created in the team: called when they leave it or stop being an
     * admin. A token acts with its creator's role at most, and would work again if they came back.
     */
    async revokeCreatedBy(actor: Actor, teamId: string, userId: string): Promise<void> {
      const at = deps.now();
      for (const token of await repos.tokens.liveCreatedBy(teamId, userId)) {
        // One conditional write per token: a token revoked meanwhile by someone else is theirs to audit.
        if (!(await repos.tokens.revoke(teamId, token.id, at, 'creator_left'))) continue;
        await audit.record({ teamId, action: 'token.revoked', actor, targetIds: [token.id], details: { name: token.name, reason: 'creator_left' } });
      }
    },

    /**
     * The bearer token of a REST call, or null when it is not one that works: malformed, unknown,
     * revoked, expired, or its creator no longer an admin of its team (all answered 401 alike).
     */
    async authenticate(value: string | null): Promise<TokenCaller | null> {
      const parsed = value ? parseToken(value) : null;
      if (!parsed?.ok) return null;
      const token = await repos.tokens.findByHash(hashKey(deps.pepper, parsed.key));
      const now = deps.now();
      if (!token || token.revokedAt || (token.expiresAt && token.expiresAt <= now)) return null;
      const [membership, creator] = await Promise.all([repos.teams.findMembership(token.teamId, token.createdBy), repos.users.findById(token.createdBy)]);
      if (!membership || !isAdminRole(membership.role) || !creator) return null;
      if (!token.lastUsedAt || now.getTime() - token.lastUsedAt.getTime() >= TOUCH_EVERY_MS) {
        // A lost write only makes lastUsedAt older: never worth failing the call for.
        await repos.tokens.touch(token.id, now, new Date(now.getTime() - TOUCH_EVERY_MS)).catch((err) => deps.log.error('token lastUsedAt not recorded', err));
      }
      return { tokenId: token.id, name: token.name, teamId: token.teamId, scopes: token.scopes, createdBy: token.createdBy, role: membership.role, email: creator.email };
    },

    /**
     * A token reported leaked (leak guard, GitHub secret scanning, /v1/leaks/report): revoked at
     * once, whichever team holds it, and audited with the report's source. `unknown` for a value
     * that is no token of ours (GitHub labels it a false positive). Only the report that revokes it
     * alerts (`token.leaked`: its creator and the team's admins, and the webhook event), so a
     * retried or second report alerts nobody again.
     */
    async revokeLeaked(actor: Actor, value: string, details: { source: LeakSource; url: string | null }): Promise<'revoked' | 'already_revoked' | 'unknown'> {
      const parsed = parseToken(value);
      if (!parsed.ok) return 'unknown';
      const hash = hashKey(deps.pepper, parsed.key);
      const at = deps.now();
      const token = await repos.tokens.revokeByHash(hash, at, 'leaked');
      if (token) {
        await afterWrite(() => alertLeaked(hash, token, actor, details));
        return 'revoked';
      }
      const known = await repos.tokens.findByHash(hash);
      if (!known) return 'unknown';
      // The report that revoked it did not finish its alerts (a crash): this one does, once.
      if (known.leakPending) await afterWrite(() => alertLeaked(hash, known, actor, details));
      return 'already_revoked';
    },
  };

  /** Every write has an id derived from the token (records, their webhook events, notices): a retry repeats none. */
  async function alertLeaked(hash: string, token: StoredToken, actor: Actor, details: { source: LeakSource; url: string | null }): Promise<void> {
    // Webhooks the token added go quiet with it: its holder may have pointed them at themselves to keep reading the team's events.
    const turnedOff = await repos.webhooks.disableAddedByToken(token.teamId, token.id, deps.now());
    for (const e of turnedOff) {
      await audit.record({ id: `aud_wleak_${e.id}`, teamId: token.teamId, action: 'webhook.updated', actor, targetIds: [e.id], details: { url: e.url, changes: { enabled: { from: true, to: false } }, reason: 'token_leaked', tokenId: token.id } });
    }
    await audit.record({ id: `aud_trevoke_${token.id}`, teamId: token.teamId, action: 'token.revoked', actor, targetIds: [token.id], details: { name: token.name, reason: 'leaked', ...details } });
    const leaked = { name: token.name, hint: token.hint, createdBy: token.createdBy, reason: 'leaked', ...details, webhooksTurnedOff: turnedOff.map((e) => e.id) };
    await audit.record({ id: `aud_tleak_${token.id}`, teamId: token.teamId, action: 'token.leaked', actor, targetIds: [token.id], details: leaked });
    await alerts.tokenLeaked(token, { ...details, at: token.revokedAt! });
    await repos.tokens.leakHandled(hash);
  }
}
export type TokensService = ReturnType<typeof tokensService>;
