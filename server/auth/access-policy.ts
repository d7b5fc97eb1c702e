/**
 * What a request needs, by method and path. `public`: nothing, and nobody is looked up (static
 * files, health, login); `optional`: whoever it is, if anyone (the session call); `page`: a
 * session, else a redirect to the login page; `self`: any logged-in user, even one who must still change a one-time password;
 * `read`: a viewer; `write`: an operator, and for a cookie session its CSRF token; `socket`: the
 * socket.io handshake, which authenticates itself (server/auth/socket-auth.ts).
 */
import { realtimePath } from '../../contract/realtime';

export type Access = 'public' | 'optional' | 'page' | 'self' | 'read' | 'operator-read' | 'write' | 'socket';

const publicPages = new Set(['/login', '/icon.svg', '/favicon.ico', '/robots.txt']);
const readMethods = new Set(['GET', 'HEAD', 'OPTIONS']);
/** Lists that name who may do what: operators only, even to read. */
const operatorReads = [/^\/api\/tokens(\/|$)/, /^\/api\/users(\/|$)/, /^\/api\/devices(\/|$)/];

export function requiredAccess(method: string, path: string): Access {
  if (path === realtimePath || path.startsWith(`${realtimePath}/`)) return 'socket';
  if (path === '/healthz') return 'public';
  if (path === '/api/auth/login') return 'public';
  if (path === '/api/auth/session') return 'optional';
  if (path === '/api/auth/logout' || path === '/api/auth/password') return 'self';
  const isApi = path === '/metrics' || path === '/api' || path.startsWith('/api/');
  if (!isApi) {
    if (publicPages.has(path) || path.startsWith('/_next/static/') || path.startsWith('/login/'))
      return 'public';
    return 'page';
  }
  if (!readMethods.has(method)) return 'write';
  return operatorReads.some((p) => p.test(path)) ? 'operator-read' : 'read';
}
