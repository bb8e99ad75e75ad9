import { router } from './init';
import { authRouter } from './routers/auth.router';
import { keysRouter } from './routers/keys.router';
import { auditRouter } from './routers/audit.router';
import { membersRouter } from './routers/members.router';
import { invitationsRouter } from './routers/invitations.router';
import { settingsRouter } from './routers/settings.router';
import { adminRouter } from './routers/admin.router';
import { alertsRouter } from './routers/alerts.router';
import { notificationsRouter } from './routers/notifications.router';
import { usageRouter } from './routers/usage.router';
import { leaksRouter } from './routers/leaks.router';
import { keyRequestsRouter } from './routers/key-requests.router';
import { webhooksRouter } from './routers/webhooks.router';
import { rolesRouter } from './routers/roles.router';
import { identitiesRouter } from './routers/identities.router';

export const appRouter = router({
  webhooks: webhooksRouter,
  auth: authRouter,
  keys: keysRouter,
  settings: settingsRouter,
  members: membersRouter,
  invitations: invitationsRouter,
  audit: auditRouter,
  notifications: notificationsRouter,
  alerts: alertsRouter,
  admin: adminRouter,
  usage: usageRouter,
  leaks: leaksRouter,
  keyRequests: keyRequestsRouter,
  roles: rolesRouter,
  identities: identitiesRouter,
});

/** The only thing the extension imports from the server: a type. */
export type AppRouter = typeof appRouter;
