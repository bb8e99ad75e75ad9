import type { Role } from '../../shared/schemas/common';

/** Who is doing something, and from where: every audited action carries one. */
export interface Actor {
  userId: string | null;
  email: string | null;
  role: Role | null;
  ip: string | null;
  userAgent: string | null;
}

export const systemActor: Actor = { userId: null, email: null, role: null, ip: null, userAgent: 'keywarden' };
