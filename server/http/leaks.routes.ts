import { Hono, type Context } from 'hono';
import { GitHubLeakReportSchema, PublicLeakReportSchema } from '../../shared/schemas/leak';
import { DAY_MS } from '../../shared/time';
import type { Deps } from '../deps';
import type { Services } from '../services';
import { callerIp, type NodeBindings } from './auth';
import type { Actor } from '../services/actor';

/**
 * Where leaks come in from outside: GitHub's secret-scanning partner endpoint
 * (signed by GitHub; nothing is done for a report whose signature does not
 * check out) and the public leak report (no sign-in; its answer is always the
 * same, so it tells a caller nothing about the key sent).
 */
export function leaksRoutes(deps: Deps, services: Services) {
  const app = new Hono<NodeBindings>();
  const reporter = (c: Context<NodeBindings>, userAgent?: string): Actor => ({
    userId: null,
    email: null,
    role: null,
    ip: callerIp(c, deps.config.trustProxy),
    userAgent: userAgent ?? c.req.header('user-agent') ?? null,
  });

  app.post('/leaks/github', async (c) => {
    const raw = Buffer.from(await c.req.arrayBuffer());
    const signed = await services.leaks.verifyGitHubSignature(raw, c.req.header('github-public-key-identifier'), c.req.header('github-public-key-signature'));
    if (!signed) return c.json({ error: 'UNAUTHORIZED', message: 'The GitHub-Public-Key-Signature does not verify against GitHub\'s published keys.' }, 401);
    let body: unknown;
    try {
      body = JSON.parse(raw.toString('utf8'));
    } catch {
      return c.json({ error: 'BAD_REQUEST', message: 'The body must be a JSON array of { token, type, url, source }.' }, 400);
    }
    const parsed = GitHubLeakReportSchema.safeParse(body);
    if (!parsed.success) return c.json({ error: 'BAD_REQUEST', message: 'The body must be a JSON array of { token, type, url, source }.' }, 400);
    // Failures are answered by app.ts's `onError`.
    return c.json(await services.leaks.gitHubReport(parsed.data, reporter(c, 'GitHub secret scanning')));
  });

  app.post('/leaks/report', async (c) => {
    let body: unknown = null;
    try {
      body = await c.req.json();
    } catch {
      // Answered like any other report: the answer never depends on what was sent.
    }
    const parsed = PublicLeakReportSchema.safeParse(body);
    // Handled off the request, so not even the answer's timing says whether the key was real.
    if (parsed.success) void services.leaks.publicReport(parsed.data, reporter(c));
    return c.json({ received: true }, 202);
  });

  return app;
}

/** RFC 9116: where to report a leaked key or a vulnerability. */
export function securityTxt(deps: Deps): string {
  const base = deps.config.publicUrl.replace(/\/$/, '');
  const expires = new Date(deps.now().getTime() + 180 * DAY_MS).toISOString();
  return [
    `# Found a Keywarden API key (kw_…) or API token (kwt_…) in public? Report it: POST ${base}/v1/leaks/report`,
    '# with a JSON body {"key": "kw_…", "url": "where you found it", "note": "optional"}.',
    '# No sign-in needed; the answer is always 202 {"received": true}.',
    `Contact: ${base}/v1/leaks/report`,
    `Expires: ${expires}`,
    `Canonical: ${base}/.well-known/security.txt`,
    'Preferred-Languages: en',
    '',
  ].join('\n');
}
