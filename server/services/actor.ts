import type { Role } from '../../shared/schemas/common';
import type { TokenActor } from '../../shared/schemas/token';

/** Who is doing something, and from where: every audited action carries one. */
export interface Actor {
  userId: string | null;
  email: string | null;
  role: Role | null;
  ip: string | null;
  userAgent: string | null;
  /** Set when the call came with a team API token: the audit names the token beside its creator. */
  token?: TokenActor;
}

export const systemActor: Actor = { userId: null, email: null, role: null, ip: null, userAgent: 'keywarden' };
