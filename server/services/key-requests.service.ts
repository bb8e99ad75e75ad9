import { isAdminRole, type Role } from '../../shared/schemas/common';
import { GRANT_VALID_DAYS, type KeyRequest, type KeyRequestState } from '../../shared/schemas/lifecycle';
import type { KeyRequestRecord, KeyRequestsRepo } from '../db/key-requests.repo';
import type { RevisionsRepo } from '../db/revisions.repo';
import type { TeamsRepo } from '../db/teams.repo';
import type { Deps } from '../deps';
import { badRequest, forbidden, notFound } from '../errors';
import { newId } from '../lib/ids';
import { DAY_MS } from '../../shared/time';
import type { Actor } from './actor';
import type { AuditService } from './audit.service';
import type { KeyGrants } from './keys.service';
import type { NoticeRequest, NotifyService } from './notify.service';
import { bumpAlerts } from './alerts-bus';

/** A member cannot flood the admins: at most this many of their requests wait at once. */
const MAX_PENDING_PER_MEMBER = 5;
const LIST_LIMIT = 200;

const toKeyRequest = (r: KeyRequestRecord): KeyRequest => ({
  id: r.id,
  teamId: r.teamId,
  requester: { userId: r.userId, email: r.email },
  name: r.name,
  reason: r.reason,
  expiresInDays: r.expiresInDays,
  state: r.state,
  createdAt: r.createdAt,
  decidedAt: r.decidedAt,
  decidedBy: r.decidedBy,
  note: r.note,
  grantExpiresAt: r.grantExpiresAt,
  keyId: r.keyId,
});

/**
 * Key requests: while a team does not let members generate keys, a member
 * asks; an admin approves (a one-time grant, valid GRANT_VALID_DAYS, that
 * keys.create redeems: the plaintext is made for the member at that moment and
 * never stored waiting) or denies. Admins' badges count pending requests
 * (alerts.service); each step is audited and the other side notified.
 */
export function keyRequestsService(
  deps: Deps,
  repos: { keyRequests: KeyRequestsRepo; teams: TeamsRepo; revisions: RevisionsRepo },
  audit: AuditService,
  notify: Pick<NotifyService, 'publish'>,
) {
  /** Pending counts feed every admin's badge: a failed bump only delays it. */
  const bumpBadges = () => bumpAlerts(repos.revisions, deps.log);

  const notice = (r: KeyRequestRecord, kind: NoticeRequest['kind'], ownerId: string, actor: Actor, reason: string | null, at: Date): NoticeRequest => ({
    source: `key-request:${r.id}:${kind}:${ownerId}`,
    teamId: r.teamId,
    ownerId,
    kind,
    keys: [{ id: r.id, name: r.name, hint: '', expiresAt: null }],
    revokedKeyIds: [],
    actor: { userId: actor.userId, email: actor.email },
    reason,
    thresholdDays: null,
    at,
  });

  async function pendingOne(teamId: string, requestId: string): Promise<KeyRequestRecord> {
    const request = await repos.keyRequests.find(teamId, requestId);
    if (!request) throw notFound('Key request not found.');
    if (request.state !== 'pending') throw badRequest(`This request was already ${request.state}.`);
    return request;
  }

  async function decide(actor: Actor, request: KeyRequestRecord, state: 'approved' | 'denied', extra: { note: string | null; expiresInDays: number | null }) {
    const at = deps.now();
    const decided = await repos.keyRequests.decide(request.teamId, request.id, {
      state,
      decidedAt: at,
      decidedBy: { userId: actor.userId, email: actor.email },
      note: extra.note,
      expiresInDays: extra.expiresInDays,
      grantExpiresAt: state === 'approved' ? new Date(at.getTime() + GRANT_VALID_DAYS * DAY_MS) : null,
    });
    if (!decided) throw badRequest('This request was already answered by another admin.');
    const { note, grantExpiresAt, expiresInDays } = decided;
    await audit.record({
      id: `aud_${request.id}_${state}`,
      teamId: request.teamId,
      action: state === 'approved' ? 'key_request.approved' : 'key_request.denied',
      actor,
      targetIds: [request.id],
      details: { name: request.name, requester: request.userId, ...(state === 'approved' ? { expiresInDays, grantExpiresAt } : { note }) },
      at,
    });
    await notify.publish([notice(decided, state === 'approved' ? 'key_request_approved' : 'key_request_denied', request.userId, actor, state === 'denied' ? note : null, at)]);
    await bumpBadges();
    return toKeyRequest(decided);
  }

  const grants: KeyGrants = {
    async check(actor, teamId, requestId) {
      const request = await repos.keyRequests.find(teamId, requestId);
      if (!request || request.userId !== actor.userId) throw notFound('Key request not found.');
      if (request.state !== 'approved') throw forbidden(request.state === 'pending' ? 'This request is not approved yet.' : 'This request was denied.');
      if (request.keyId) throw forbidden('This approval was already used: it allows one key.');
      if (!request.grantExpiresAt || request.grantExpiresAt <= deps.now()) throw forbidden(`This approval has expired (approvals are valid ${GRANT_VALID_DAYS} days). Ask again.`);
      return { expiresInDays: request.expiresInDays };
    },
    async use(actor, requestId, keyId) {
      if (!(await repos.keyRequests.useGrant(requestId, actor.userId!, keyId, deps.now()))) throw forbidden('This approval was already used: it allows one key.');
    },
  };

  return {
    grants,

    async create(actor: Actor & { role: Role }, input: { teamId: string; name: string; reason: string; expiresInDays?: number }): Promise<KeyRequest> {
      const team = await repos.teams.findTeam(input.teamId);
      if (!team) throw notFound('Team not found.');
      if (isAdminRole(actor.role) || team.settings.allowMemberKeyGeneration) throw badRequest('You can generate keys in this team yourself: no request is needed.');
      const max = team.settings.maxLifetimeDays;
      if (max && input.expiresInDays !== undefined && input.expiresInDays > max) throw badRequest(`expiresInDays: your team's policy allows keys of at most ${max} days.`);
      const mine = await repos.keyRequests.list(input.teamId, { state: 'pending', userId: actor.userId! }, MAX_PENDING_PER_MEMBER);
      if (mine.length >= MAX_PENDING_PER_MEMBER) throw badRequest(`You have ${MAX_PENDING_PER_MEMBER} requests waiting already; wait for an answer.`);
      const at = deps.now();
      const request: KeyRequestRecord = {
        id: newId('kreq'),
        teamId: input.teamId,
        userId: actor.userId!,
        email: actor.email ?? '',
        name: input.name,
        reason: input.reason,
        expiresInDays: input.expiresInDays ?? null,
        state: 'pending',
        createdAt: at,
        decidedAt: null,
        decidedBy: null,
        note: null,
        grantExpiresAt: null,
        keyId: null,
      };
      await repos.keyRequests.insert(request);
      await audit.record({ id: `aud_${request.id}_created`, teamId: input.teamId, action: 'key_request.created', actor, targetIds: [request.id], details: { name: request.name, reason: request.reason, expiresInDays: request.expiresInDays }, at });
      const admins = (await repos.teams.listMembershipsOfTeam(input.teamId)).filter((m) => isAdminRole(m.role));
      await notify.publish(admins.map((m) => notice(request, 'key_request_created', m.userId, actor, request.reason, at)));
      await bumpBadges();
      return toKeyRequest(request);
    },

    async list(teamId: string, state?: KeyRequestState): Promise<KeyRequest[]> {
      return (await repos.keyRequests.list(teamId, { state }, LIST_LIMIT)).map(toKeyRequest);
    },

    /** A member's own requests (newest first), so they can see what was answered. */
    async mine(actor: Actor, teamId: string): Promise<KeyRequest[]> {
      return (await repos.keyRequests.list(teamId, { userId: actor.userId! }, LIST_LIMIT)).map(toKeyRequest);
    },

    async approve(actor: Actor, input: { teamId: string; requestId: string; expiresInDays?: number }): Promise<KeyRequest> {
      const request = await pendingOne(input.teamId, input.requestId);
      const team = await repos.teams.findTeam(input.teamId);
      const max = team?.settings.maxLifetimeDays;
      const days = input.expiresInDays ?? request.expiresInDays;
      if (max && days !== null && days > max) throw badRequest(`expiresInDays: your team's policy allows keys of at most ${max} days.`);
      return decide(actor, request, 'approved', { note: null, expiresInDays: days });
    },

    async deny(actor: Actor, input: { teamId: string; requestId: string; note?: string }): Promise<KeyRequest> {
      const request = await pendingOne(input.teamId, input.requestId);
      return decide(actor, request, 'denied', { note: input.note || null, expiresInDays: request.expiresInDays });
    },

    /** Pending requests of the teams a user administers (their badge). */
    async pendingFor(adminTeamIds: string[]): Promise<number> {
      return repos.keyRequests.countPending(adminTeamIds);
    },
  };
}
export type KeyRequestsService = ReturnType<typeof keyRequestsService>;
