import { holdsKey } from '../../shared/key-format';
import type { AuditAction } from '../../shared/schemas/audit';
import type { WebhookEvent } from '../../shared/schemas/webhook';
import type { AuditRecord } from '../db/audit.repo';
import type { KeysRepo } from '../db/keys.repo';
import type { UsersRepo } from '../db/users.repo';
import type { NoticeRequest } from './notify.service';

/**
 * What a webhook event says. One event per audit record of the actions below
 * (so per action, with the record's grouping: a bulk revoke is one
 * `key.revoked` listing its keys) and one per `key_expiring` or `key_expired`
 * notice of the expiry pass (per owner and threshold). Payloads carry ids,
 * hints, names, owners, the actor, the reason and times; free-form details are
 * scrubbed of anything shaped like a key, so never a key's value.
 */
export type SubscribableEvent = Exclude<WebhookEvent, 'ping'>;

/** Audit actions that are webhook events; the others (sign-ins, invitations, requests, webhook changes) are not. */
const AUDIT_EVENTS: Partial<Record<AuditAction, SubscribableEvent>> = {
  'key.created': 'key.created',
  'key.revoked': 'key.revoked',
  'key.disabled': 'key.disabled',
  'key.enabled': 'key.enabled',
  'key.rotated': 'key.rotated',
  'key.updated': 'key.updated',
  'key.leaked': 'key.leaked',
  'canary.triggered': 'canary.triggered',
  'token.leaked': 'token.leaked',
  'settings.updated': 'settings.updated',
  'member.added': 'member.added',
  // Accepting an invitation adds a member as surely as an admin adding one.
  'member.joined': 'member.added',
  'member.removed': 'member.removed',
};

/** The stored record's action is a plain string (older records included); an unknown one is no event. */
export const eventForAudit = (action: string): SubscribableEvent | null => AUDIT_EVENTS[action as AuditAction] ?? null;

export interface WebhookEventBody {
  id: string;
  type: WebhookEvent;
  timestamp: string;
  data: Record<string, unknown>;
}

/** Drops anything shaped like a key from free-form details, however it got there. */
function scrub(value: unknown): unknown {
  if (typeof value === 'string') return holdsKey(value) ? '[redacted]' : value;
  if (Array.isArray(value)) return value.map(scrub);
  if (value instanceof Date) return value;
  if (value && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).filter(([k]) => !/^(value|plaintext|secret|token)$/i.test(k)).map(([k, v]) => [k, scrub(v)]));
  }
  return value;
}

export function eventBuilder(repos: { keys: KeysRepo; users: UsersRepo }) {
  async function describeKeys(teamId: string, ids: string[]) {
    const keys = ids.length ? await repos.keys.findManyByPublicIds(teamId, ids.slice(0, 1000)) : [];
    const owners = new Map((await repos.users.findMany([...new Set(keys.map((k) => k.ownerId))])).map((u) => [u.id, u.email]));
    return keys.map((k) => ({
      id: k.id,
      name: k.name,
      hint: k.hint,
      ownerId: k.ownerId,
      ownerEmail: owners.get(k.ownerId) ?? null,
      status: k.status,
      expiresAt: k.expiresAt,
    }));
  }

  return {
    async fromAudit(record: AuditRecord, type: SubscribableEvent): Promise<WebhookEventBody> {
      const details = (scrub(record.details ?? {}) as Record<string, unknown>) ?? {};
      const data: Record<string, unknown> = {
        teamId: record.teamId,
        actor: record.actor.userId || record.actor.email ? { userId: record.actor.userId, email: record.actor.email } : null,
        reason: typeof details.reason === 'string' ? details.reason : null,
        auditId: record.id,
      };
      if (type.startsWith('key.') || type === 'canary.triggered') {
        data.keys = await describeKeys(record.teamId, record.targets.ids);
        data.keyCount = record.targets.count;
      } else if (type.startsWith('token.')) {
        // Names the token by id, name and hint (its record's details): never its value.
        data.token = { id: record.targets.ids[0] ?? null, name: details.name ?? null, hint: details.hint ?? null, createdBy: details.createdBy ?? null };
      } else if (type.startsWith('member.')) {
        const userId = record.targets.ids[0] ?? null;
        // A removal's record names only the user: their address comes from the account.
        const email = details.email ?? (userId ? ((await repos.users.findMany([userId]))[0]?.email ?? null) : null);
        data.member = { userId, email, role: details.role ?? null };
      }
      data.details = details;
      return { id: `evt_${record.id}`, type, timestamp: record.at.toISOString(), data };
    },

    fromNotice(notice: NoticeRequest): WebhookEventBody | null {
      const type = notice.kind === 'key_expiring' ? 'key.expiring' : notice.kind === 'key_expired' ? 'key.expired' : null;
      if (!type) return null;
      return {
        id: `evt_${notice.source}`,
        type,
        timestamp: notice.at.toISOString(),
        data: {
          teamId: notice.teamId,
          actor: null,
          reason: notice.reason,
          ownerId: notice.ownerId,
          thresholdDays: notice.thresholdDays,
          keys: notice.keys.map((k) => ({ id: k.id, name: k.name, hint: k.hint, ownerId: notice.ownerId, expiresAt: k.expiresAt })),
          keyCount: notice.keys.length,
        },
      };
    },

    ping(teamId: string, endpointId: string, id: string, at: Date): WebhookEventBody {
      return { id, type: 'ping', timestamp: at.toISOString(), data: { teamId, endpointId, message: 'Keywarden webhook test' } };
    },
  };
}

/** The Slack incoming-webhook form: one readable line, then one line per key. */
export function slackMessage(event: WebhookEventBody): { text: string } {
  const d = event.data as { actor?: { email?: string | null } | null; reason?: string | null; keys?: { name: string; hint: string; ownerEmail?: string | null }[]; member?: { email?: string | null } };
  const by = d.actor?.email ? ` by ${d.actor.email}` : '';
  const why = d.reason ? ` (${d.reason})` : '';
  const lines = [`*Keywarden*: \`${event.type}\`${by}${why}`];
  if (d.member?.email) lines.push(`• ${d.member.email}`);
  for (const k of (d.keys ?? []).slice(0, 20)) lines.push(`• ${k.name} (${k.hint})${k.ownerEmail ? ` — ${k.ownerEmail}` : ''}`);
  if ((d.keys?.length ?? 0) > 20) lines.push(`…and ${d.keys!.length - 20} more`);
  return { text: lines.join('\n') };
}
