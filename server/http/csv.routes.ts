import { Hono, type Context } from 'hono';
import type { KeyRow } from '../../shared/schemas/key';
import { UsageRangeSchema } from '../../shared/schemas/usage';
import { badRequest } from '../errors';
import type { Deps } from '../deps';
import { csvStream, type CsvColumn } from '../lib/csv';
import type { Services } from '../services';
import type { AuditItem } from '../services/audit.service';
import type { UsageCsvRow } from '../services/usage.service';
import { teamAdmin } from './auth';
import { LIMIT_COLUMNS } from './limits-csv';

/**
 * CSV exports for admins: plain routes (a browser download cannot speak tRPC)
 * authenticated by the session's bearer token. A team the caller is not in is
 * a 404, like a team that does not exist. No secrets and no hashes: rows come
 * from the same KeyRow builder as `keys.list`. Failures are answered by app.ts's `onError`.
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
  ['canary', (k) => (k.canary ? 'true' : null)],
  // Each report of the key as leaked, newest first: when, where from, where found, what was done.
  ['leaks', (k) => (k.leaks ?? []).map((l) => `${l.at.toISOString()} ${l.source} ${l.url ?? '-'} ${l.action}`).join('; ') || null],
  // The key's policy (issue 24): lists space-separated (no item holds a space), meta as JSON.
  ['permissions', (k) => k.permissions.join(' ') || null],
  ['roles', (k) => k.roles.join(' ') || null],
  ['restrictionsIps', (k) => k.restrictions.ips.join(' ') || null],
  ['restrictionsOrigins', (k) => k.restrictions.origins.join(' ') || null],
  ['meta', (k) => (k.meta ? JSON.stringify(k.meta) : null)],
  ['externalId', (k) => k.externalId],
  ...LIMIT_COLUMNS,
];

const AUDIT_COLUMNS: CsvColumn<AuditItem>[] = [
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
  ['rateLimited', (u) => u.denied.RATE_LIMITED],
  ['usageExceeded', (u) => u.denied.USAGE_EXCEEDED],
  ['forbidden', (u) => u.denied.FORBIDDEN],
  ['insufficientPermissions', (u) => u.denied.INSUFFICIENT_PERMISSIONS],
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

  async function exportCsv<T>(c: Context, name: string, columns: CsvColumn<T>[], rows: (teamId: string) => AsyncGenerator<T>) {
    const { teamId } = await teamAdmin(c, services, 'Only team admins and super admins may export this.');
    const filename = `keywarden-${name}-${teamId}-${deps.now().toISOString().slice(0, 10)}.csv`;
    return new Response(csvStream(columns, await primed(rows(teamId))), {
      headers: {
        'content-type': 'text/csv; charset=utf-8; header=present',
        'content-disposition': `attachment; filename="${filename}"`,
        'cache-control': 'no-store',
      },
    });
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
