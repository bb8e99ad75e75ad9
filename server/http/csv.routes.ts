import { Hono, type Context } from 'hono';
import { isAdminRole, TeamIdSchema } from '../../shared/schemas/common';
import type { KeyRow } from '../../shared/schemas/key';
import { UsageRangeSchema } from '../../shared/schemas/usage';
import type { AuditRecord } from '../db/audit.repo';
import { badRequest, httpStatus, toAppError } from '../errors';
import type { Deps } from '../deps';
import { csvStream, type CsvColumn } from '../lib/csv';
import type { Services } from '../services';
import type { UsageCsvRow } from '../services/usage.service';
import { bearerToken } from '../trpc/context';

/**
 * CSV exports for admins: plain routes (a browser download cannot speak tRPC)
 * authenticated by the session's bearer token. A team the caller is not in is
 * a 404, like a team that does not exist. No secrets and no hashes: rows come
 * from the same KeyRow builder as `keys.list`.
 */
const KEY_COLUMNS: CsvColumn<KeyRow>[] = [
  ['id', (k) => k.id],
  ['name', (k) => k.name],
  ['hint', (k) => k.hint],
  ['status', (k) => k.status],
  ['revokedReason', (k) => k.revokedReason],
  ['disabledReason', (k) => k.disabledReason],
  ['createdAt', (k) => k.createdAt],
  ['expiresAt', (k) => k.expiresAt],
  ['revokedAt', (k) => k.revokedAt],
  ['lastUsedAt', (k) => k.lastUsedAt],
  ['generatedByUserId', (k) => k.generatedBy.userId],
  ['generatedByEmail', (k) => k.generatedBy.email],
  ['generatedByName', (k) => k.generatedBy.name],
  ['generatedByRole', (k) => k.generatedBy.role],
];

const AUDIT_COLUMNS: CsvColumn<AuditRecord>[] = [
  ['id', (a) => a.id],
  ['at', (a) => a.at],
  ['actorUserId', (a) => a.actor.userId],
  ['actorEmail', (a) => a.actor.email],
  ['actorRole', (a) => a.actor.role],
  ['action', (a) => a.action],
  ['targetCount', (a) => a.targets.count],
  ['targetIds', (a) => a.targets.ids.join(' ')],
  ['details', (a) => (a.details ? JSON.stringify(a.details) : null)],
  ['ip', (a) => a.ip],
  ['userAgent', (a) => a.userAgent],
];

const USAGE_COLUMNS: CsvColumn<UsageCsvRow>[] = [
  ['bucketStart', (u) => u.at],
  ['keyId', (u) => u.keyId],
  ['name', (u) => u.name],
  ['hint', (u) => u.hint],
  ['valid', (u) => u.valid],
  ['failedRevoked', (u) => u.failed.REVOKED],
  ['failedDisabled', (u) => u.failed.DISABLED],
  ['failedExpired', (u) => u.failed.EXPIRED],
  ['distinctIps', (u) => u.distinctIps],
];

/** Reads the first row before the 200 is sent, so a database outage at the start is a clean 503. */
async function primed<T>(rows: AsyncGenerator<T>): Promise<AsyncGenerator<T>> {
  const first = await rows.next();
  return (async function* () {
    if (first.done) return;
    yield first.value;
    yield* rows;
  })();
}

export function csvRoutes(deps: Deps, services: Services) {
  const app = new Hono();
  const fail = (c: Context, status: 401 | 403 | 404, error: string, message: string) => c.json({ error, message }, status);

  /** Resolves the caller and checks they administer the team; returns an error response otherwise. */
  async function authorize(c: Context): Promise<{ teamId: string } | Response> {
    const session = await services.auth.resolveSession(bearerToken(c.req.header('authorization')));
    if (!session) return fail(c, 401, 'UNAUTHORIZED', 'Send your session token as "Authorization: Bearer …".');
    const teamId = TeamIdSchema.safeParse(c.req.param('teamId'));
    const membership = teamId.success ? await services.teams.membership(teamId.data, session.user.id) : null;
    if (!membership || !teamId.success) return fail(c, 404, 'NOT_FOUND', 'Team not found.');
    if (!isAdminRole(membership.role)) return fail(c, 403, 'FORBIDDEN', 'Only team admins and super admins may export this.');
    return { teamId: teamId.data };
  }

  async function exportCsv<T>(c: Context, name: string, columns: CsvColumn<T>[], rows: (teamId: string) => AsyncGenerator<T>) {
    try {
      const auth = await authorize(c);
      if (auth instanceof Response) return auth;
      const filename = `keywarden-${name}-${auth.teamId}-${deps.now().toISOString().slice(0, 10)}.csv`;
      return new Response(csvStream(columns, await primed(rows(auth.teamId))), {
        headers: {
          'content-type': 'text/csv; charset=utf-8; header=present',
          'content-disposition': `attachment; filename="${filename}"`,
          'cache-control': 'no-store',
        },
      });
    } catch (err) {
      const appError = toAppError(err, deps.log.error);
      return c.json({ error: appError.code, message: appError.message }, httpStatus(appError));
    }
  }

  app.get('/teams/:teamId/keys.csv', (c) => exportCsv(c, 'keys', KEY_COLUMNS, (teamId) => services.keysAdmin.exportRows(teamId)));
  app.get('/teams/:teamId/audit.csv', (c) => exportCsv(c, 'audit', AUDIT_COLUMNS, (teamId) => services.audit.stream(teamId)));
  /** One row per key and bucket with any use: hourly for `range=24h`, daily for `7d` and `30d` (the default). */
  app.get('/teams/:teamId/usage.csv', (c) => {
    const range = UsageRangeSchema.safeParse(c.req.query('range') ?? '30d');
    return exportCsv(c, 'usage', USAGE_COLUMNS, async function* (teamId) {
      if (!range.success) throw badRequest('range: one of 24h, 7d, 30d.');
      yield* services.usage.exportRows(teamId, range.data);
    });
  });
  return app;
}
