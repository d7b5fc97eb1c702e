/**
 * Who a request is. The auth gate attaches it to the request once; handlers read it with
 * `principalOf`, and record changes under `actorOf`.
 */
import type { IncomingMessage } from 'node:http';
import type { Role } from '../../contract/auth';

export interface Principal {
  username: string;
  role: Role;
  via: 'session' | 'token' | 'auth-off';
  /** The session's CSRF token; empty for tokens and AUTH=off. */
  csrfToken: string;
  mustChangePassword: boolean;
  expiresAtMs: number | null;
  /** The cookie value, for logout and password changes. */
  sessionId?: string;
  tokenId?: number;
}

const principals = new WeakMap<IncomingMessage, Principal>();

export function attachPrincipal(req: IncomingMessage, principal: Principal): void {
  principals.set(req, principal);
}

export function principalOf(req: IncomingMessage): Principal | undefined {
  return principals.get(req);
}

/**
 * The name a change is recorded under: the logged-in user, or a token as `token:<name>`. Only with
 * AUTH=off (or no gate at all, in tests of a router alone) does a name given in the body count.
 */
export function actorOf(req: IncomingMessage, claimed: string | undefined, fallback: string): string {
  const principal = principalOf(req);
  if (principal && principal.via !== 'auth-off') return principal.username;
  return claimed ?? fallback;
}

export const roleRank: Record<Role, number> = { viewer: 0, operator: 1 };
