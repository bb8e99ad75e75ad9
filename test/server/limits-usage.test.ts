import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTeam, startTestServer, type TestServer } from '../helpers/harness';

/** Issue 25: calls refused by a rate limit or for want of credits are counted per key and hour, and keys.usage, usage.overview and the CSV show them. */
let server: TestServer;
let team: Awaited<ReturnType<typeof createTeam>>;

beforeAll(async () => {
  server = await startTestServer({ label: 'limits-usage' });
  team = await createTeam(server, 'Limits usage');
});
afterAll(() => server.close());

const HOUR = 3_600_000;
const floorHour = (t: number) => t - (t % HOUR);

async function verify(key: string): Promise<{ valid: boolean; code?: string }> {
  const res = await fetch(`${server.url}/v1/keys/verify`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ key }) });
  return (await res.json()) as { valid: boolean; code?: string };
}

describe('refusals by limits in the usage numbers', () => {
  it('RATE_LIMITED, USAGE_EXCEEDED (and policy FORBIDDEN) refusals show up in keys.usage for their hour, in the overview and in the CSV', async () => {
    const api = team.admin.api;
    const limited = await api.keys.create.mutate({ teamId: team.teamId, name: 'rate limited', ratelimits: [{ name: 'day', limit: 2, durationMs: 86_400_000 }] });
    const metered = await api.keys.create.mutate({ teamId: team.teamId, name: 'metered', credits: { remaining: 1, refill: null } });
    const before = Date.now();
    const limitedAnswers = [];
    for (let i = 0; i < 5; i++) limitedAnswers.push((await verify(limited.key)).code ?? 'VALID');
    const meteredAnswers = [];
    for (let i = 0; i < 3; i++) meteredAnswers.push((await verify(metered.key)).code ?? 'VALID');
    const after = Date.now();
    expect(limitedAnswers).toEqual(['VALID', 'VALID', 'RATE_LIMITED', 'RATE_LIMITED', 'RATE_LIMITED']);
    expect(meteredAnswers).toEqual(['VALID', 'USAGE_EXCEEDED', 'USAGE_EXCEEDED']);
    // A policy refusal (issue 24) is counted in the same numbers.
    const fenced = await api.keys.create.mutate({ teamId: team.teamId, name: 'fenced', restrictions: { ips: ['10.0.0.0/8'], origins: [] } });
    expect((await verify(fenced.key)).code).toBe('FORBIDDEN');
    await server.services.usage.flush();

    const noDenials = { RATE_LIMITED: 0, USAGE_EXCEEDED: 0, FORBIDDEN: 0, INSUFFICIENT_PERMISSIONS: 0 };
    const ofLimited = await api.keys.usage.query({ teamId: team.teamId, keyId: limited.row.id, range: '24h' });
    expect(ofLimited.totals).toMatchObject({ valid: 2, denied: { ...noDenials, RATE_LIMITED: 3 } });
    // All in one hourly bucket: the hour of the calls (the clock may have crossed an hour between the first and the last).
    const withDenials = ofLimited.buckets.filter((b) => b.denied.RATE_LIMITED > 0);
    expect(withDenials).toHaveLength(1);
    expect(withDenials[0]!.denied.RATE_LIMITED).toBe(3);
    expect([floorHour(before), floorHour(after)]).toContain(withDenials[0]!.at.getTime());
    // Refusals by limits are not failures of a key that no longer works.
    expect(ofLimited.totals.failed).toEqual({ REVOKED: 0, DISABLED: 0, EXPIRED: 0 });

    const ofMetered = await api.keys.usage.query({ teamId: team.teamId, keyId: metered.row.id, range: '7d' });
    expect(ofMetered.totals).toMatchObject({ valid: 1, denied: { ...noDenials, USAGE_EXCEEDED: 2 } });
    // In today's daily bucket (or yesterday's, should UTC midnight fall between the calls and this read).
    const exhaustedDays = ofMetered.buckets.filter((b) => b.denied.USAGE_EXCEEDED > 0);
    expect(exhaustedDays.map((b) => b.denied.USAGE_EXCEEDED)).toEqual([2]);
    expect(ofMetered.buckets.slice(-2)).toContain(exhaustedDays[0]);

    const overview = await api.usage.overview.query({ teamId: team.teamId, range: '24h' });
    expect(overview.totals.denied).toEqual({ ...noDenials, RATE_LIMITED: 3, USAGE_EXCEEDED: 2, FORBIDDEN: 1 });
    expect((await api.keys.usage.query({ teamId: team.teamId, keyId: fenced.row.id })).totals.denied).toEqual({ ...noDenials, FORBIDDEN: 1 });

    const csv = await fetch(`${server.url}/v1/teams/${team.teamId}/usage.csv?range=24h`, { headers: { authorization: `Bearer ${team.admin.token}` } });
    expect(csv.status).toBe(200);
    const [header, ...lines] = (await csv.text()).trim().split('\r\n');
    const cols = header!.split(',');
    const rowOf = (keyId: string) => lines.map((l) => l.split(',')).filter((l) => l[cols.indexOf('keyId')] === keyId);
    const sum = (rows: string[][], col: string) => rows.reduce((n, r) => n + Number(r[cols.indexOf(col)]), 0);
    expect(sum(rowOf(limited.row.id), 'rateLimited')).toBe(3);
    expect(sum(rowOf(metered.row.id), 'usageExceeded')).toBe(2);
    expect(sum(rowOf(fenced.row.id), 'forbidden')).toBe(1);
  });
});
