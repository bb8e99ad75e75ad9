import type { Deps } from '../deps';
import type { Services } from '../services';
import type { Actor } from '../services/actor';

export interface RequestMeta {
  ip: string | null;
  userAgent: string | null;
  token: string | null;
}

/** Per-request context; the session is resolved lazily, once, by authedProcedure. */
export function createContext(deps: Deps, services: Services, meta: RequestMeta) {
  let session: ReturnType<Services['auth']['resolveSession']> | undefined;
  return {
    deps,
    services,
    meta,
    resolveSession: () => (session ??= services.auth.resolveSession(meta.token)),
    /** The caller as an audit actor; `role` is the role in the team of the request, if any. */
    actor(user: { id: string; email: string }, role: Actor['role'] = null): Actor {
      return { userId: user.id, email: user.email, role, ip: meta.ip, userAgent: meta.userAgent };
    },
  };
}
export type Context = ReturnType<typeof createContext>;
