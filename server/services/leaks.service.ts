import { parseKey, parseToken } from '../../shared/key-format';
import { isAdminRole, type Role } from '../../shared/schemas/common';
import { type GitHubLeakLabel, type GitHubLeakReport, type LeakCheck, type LeakEntry, type LeakSource } from '../../shared/schemas/leak';
import { settingsOf } from '../../shared/schemas/team';
import type { RevokeResult } from '../../shared/schemas/key';
import type { KeysRepo, StoredKey } from '../db/keys.repo';
import type { LeaksRepo } from '../db/leaks.repo';
import type { TeamsRepo } from '../db/teams.repo';
import type { Deps } from '../deps';
import { forbidden, notFound } from '../errors';
import { gitHubKeyring } from '../lib/github-keyring';
import { hashKey, sha256 } from '../lib/ids';
import type { Actor } from './actor';
import type { AuditService } from './audit.service';
import type { CanaryService } from './canary.service';
import type { KeyActionsService } from './key-actions.service';
import type { LeakAlerts } from './leak-alerts';
import type { TokensService } from './tokens.service';
import { effectiveStatus } from '../db/effective-status';

export interface LeakReport {
  source: LeakSource;
  url: string | null;
  note?: string | null;
  /** Who reported it: GitHub, an anonymous caller, or a signed-in member (the extension). */
  actor: Actor;
}

/**
 * What a leak does, whatever its source (GitHub's secret scanning, the public
 * report, the extension's leak guard). Each report of a key is kept once; the
 * first report of a key alone acts on it, per the team's `leakResponse`:
 * revoke or disable (reason `leaked`) through the action engine like every
 * bulk action, or only notify. The owner and every admin get a `key_leaked`
 * notice and email. Later reports only add to the key's leak record (and the
 * audit log). A leaked canary is not revoked: it raises its own alarm instead.
 */
export function leaksService(
  deps: Deps,
  repos: { keys: KeysRepo; leaks: LeaksRepo; teams: TeamsRepo },
  audit: AuditService,
  actions: KeyActionsService,
  alerts: LeakAlerts,
  canary: CanaryService,
  tokens: Pick<TokensService, 'revokeLeaked'>,
) {
  const keyring = gitHubKeyring(deps.config.githubSecretScanningKeysUrl, deps.log, () => deps.now().getTime());

  async function act(key: StoredKey, actor: Actor, forceRevoke: boolean): Promise<{ action: LeakEntry['action']; actionId: string | null }> {
    const at = deps.now();
    if (effectiveStatus(key, at).status === 'revoked') return { action: 'none', actionId: null };
    const team = await repos.teams.findTeam(key.teamId);
    const response = forceRevoke ? 'revoke' : settingsOf(team?.settings).leakResponse;
    if (response === 'notify') return { action: 'notified', actionId: null };
    if (response === 'disable' && key.status === 'disabled') return { action: 'none', actionId: null };
    const { actionId, changed } = await actions.run({ teamId: key.teamId, kind: response, reason: 'leaked', actor, keyIds: [key.id] });
    return { action: changed.length > 0 ? (response === 'revoke' ? 'revoked' : 'disabled') : 'none', actionId };
  }

  /** Handles one reported value; true when it is a key Keywarden issued. */
  async function handle(value: string, report: LeakReport, forceRevoke = false): Promise<boolean> {
    // A team API token is revoked whatever the team's leak response: it has no owner to warn first.
    if (parseToken(value).ok) return (await tokens.revokeLeaked(report.actor, value, { source: report.source, url: report.url })) !== 'unknown';
    const parsed = parseKey(value);
    if (!parsed.ok) return false;
    const key = await repos.keys.findByHashAnyTeam(hashKey(deps.pepper, parsed.key));
    if (!key) return false;
    const at = deps.now();
    if (key.canary) {
      await canary.raise(key, { ip: report.actor.ip, userAgent: report.actor.userAgent }, at);
      return true;
    }
    const reportId = sha256(`${key.id}|${report.source}|${report.url ?? ''}`).slice(0, 40);
    const record = {
      keyId: key.id,
      teamId: key.teamId,
      ownerId: key.ownerId,
      source: report.source,
      url: report.url,
      note: report.note ?? null,
      at,
      action: 'none' as const,
      actionId: null,
      ip: report.actor.ip,
      userAgent: report.actor.userAgent,
    };
    const isNew = await repos.leaks.recordReport(reportId, record);
    // Every step below is idempotent, so a first report whose handling was cut short is finished by the next one.
    const acting = await repos.leaks.claimHandling(key.teamId, key.id, at);
    let outcome: { action: LeakEntry['action']; actionId: string | null } = { action: 'none', actionId: null };
    if (acting || (forceRevoke && isNew)) {
      outcome = await act(key, report.actor, forceRevoke);
      await repos.leaks.setAction(reportId, outcome.action, outcome.actionId);
    }
    // Keyed by the report, so a retried report (GitHub retries) completes its record without a second one.
    if (isNew || acting) {
      await audit.record({
        id: `aud_leak_${reportId.slice(0, 32)}`,
        teamId: key.teamId,
        action: 'key.leaked',
        actor: report.actor,
        targetIds: [key.id],
        details: { keyId: key.id, name: key.name, ownerId: key.ownerId, source: report.source, url: report.url, action: outcome.action, actionId: outcome.actionId, firstReport: acting },
        at,
      });
    }
    if (outcome.action !== 'none') {
      await alerts.keyLeaked(key, { source: report.source, url: report.url, action: outcome.action, at });
    }
    if (acting) await repos.leaks.markHandled(key.teamId, key.id, deps.now());
    return true;
  }

  return {
    handle,

    /** Whether a GitHub report's signature headers sign this exact raw body with one of GitHub's published keys. */
    verifyGitHubSignature: (body: Buffer, identifier: string | undefined, signature: string | undefined) => keyring.verify(body, identifier, signature),

    /** GitHub's report, already signature-checked: one label per token, `token_hash` the SHA-256 hex of the token. */
    async gitHubReport(matches: GitHubLeakReport, actor: Actor): Promise<GitHubLeakLabel[]> {
      const labels: GitHubLeakLabel[] = [];
      for (const m of matches) {
        const real = await handle(m.token, { source: 'github', url: m.url || null, note: m.source || null, actor });
        labels.push({ token_hash: sha256(m.token), token_type: m.type, label: real ? 'true_positive' : 'false_positive' });
      }
      return labels;
    },

    /** The public report: its outcome is never told to the caller, so failures are only logged. */
    async publicReport(input: { key: string; url?: string; note?: string }, actor: Actor): Promise<void> {
      await handle(input.key, { source: 'public_report', url: input.url ?? null, note: input.note ?? null, actor }).catch((err) =>
        deps.log.error('handling a public leak report failed', err),
      );
    },

    /** What the leak guard may say about a key it found: whether it is the team's and whether the caller may revoke it. */
    async check(viewer: { userId: string; role: Role }, teamId: string, value: string): Promise<LeakCheck> {
      const none: LeakCheck = { teamKey: false, keyId: null, name: null, canRevoke: false, revoked: false };
      const parsed = parseKey(value);
      if (!parsed.ok) return none;
      const key = await repos.keys.findByHash(teamId, hashKey(deps.pepper, parsed.key));
      if (!key || (key.canary && !isAdminRole(viewer.role))) return none;
      const canRevoke = isAdminRole(viewer.role) || key.ownerId === viewer.userId;
      const revoked = effectiveStatus(key, deps.now()).status === 'revoked';
      return { teamKey: true, keyId: canRevoke ? key.id : null, name: canRevoke ? key.name : null, canRevoke, revoked };
    },

    /** The leak guard's "Report as leaked": handled like any leak, per the key's team's response. */
    async reportFromExtension(actor: Actor, input: { key: string; url?: string }): Promise<{ received: true }> {
      await handle(input.key, { source: 'extension', url: input.url ?? null, actor });
      return { received: true };
    },

    /** The leak guard's "Revoke now" (the key's owner or an admin): recorded as a leak and revoked, whatever the team's response. */
    /** Revoked if it still worked; `alreadyRevoked` if it was dead before, or a leak response other than revoke left it so. */
    async revokeFromExtension(actor: Actor & { role: Role }, teamId: string, input: { key: string; url?: string }): Promise<RevokeResult> {
      const parsed = parseKey(input.key);
      const key = parsed.ok ? await repos.keys.findByHash(teamId, hashKey(deps.pepper, parsed.key)) : null;
      if (!key) throw notFound('Key not found.');
      if (!isAdminRole(actor.role) && key.ownerId !== actor.userId) throw forbidden('Only the key\'s owner or a team admin can revoke it.');
      const wasDead = effectiveStatus(key, deps.now()).status === 'revoked';
      await handle(input.key, { source: 'extension', url: input.url ?? null, actor }, true);
      const after = await repos.keys.findByPublicId(teamId, key.id);
      const revokedNow = !wasDead && after !== null && effectiveStatus(after, deps.now()).status === 'revoked';
      return { revoked: revokedNow ? [key.id] : [], alreadyRevoked: revokedNow ? [] : [key.id], notFound: [] };
    },
  };
}
export type LeaksService = ReturnType<typeof leaksService>;
