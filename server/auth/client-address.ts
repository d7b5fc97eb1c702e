/**
 * Where a request came from and whether it came over TLS. X-Forwarded-For and X-Forwarded-Proto are
 * believed only from a trusted proxy (TRUST_PROXY): anyone else could write them.
 */
import type { IncomingMessage } from 'node:http';
import type { TLSSocket } from 'node:tls';

const loopback = new Set(['127.0.0.1', '::1']);

function normalize(address: string | undefined): string {
  if (!address) return '';
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}

export class ClientAddresses {
  private readonly trusted: Set<string>;
  private readonly trustLoopback: boolean;

  /** `trusted`: addresses, or `loopback` for a proxy on this host. */
  constructor(trusted: readonly string[]) {
    this.trustLoopback = trusted.includes('loopback');
    this.trusted = new Set(trusted.filter((t) => t !== 'loopback').map(normalize));
  }

  private isTrusted(address: string): boolean {
    return this.trusted.has(address) || (this.trustLoopback && loopback.has(address));
  }

  /** True for a peer (as the socket names it) that is one of the trusted proxies. */
  isTrustedProxy(peer: string | undefined): boolean {
    return this.isTrusted(normalize(peer));
  }

  private fromTrustedProxy(req: IncomingMessage): boolean {
    return this.isTrusted(normalize(req.socket.remoteAddress));
  }

  /** The client: the peer, or through trusted proxies the nearest untrusted X-Forwarded-For hop. */
  address(req: IncomingMessage): string {
    const peer = normalize(req.socket.remoteAddress);
    if (!this.isTrusted(peer)) return peer;
    const header = req.headers['x-forwarded-for'];
    const hops = (Array.isArray(header) ? header.join(',') : (header ?? ''))
      .split(',')
      .map((h) => normalize(h.trim()))
      .filter((h) => h !== '');
    for (let i = hops.length - 1; i >= 0; i--) if (!this.isTrusted(hops[i])) return hops[i];
    return hops[0] ?? peer;
  }

  /** True over TLS here, or when a trusted proxy says the client used https. */
  isTls(req: IncomingMessage): boolean {
    if ((req.socket as TLSSocket).encrypted) return true;
    if (!this.fromTrustedProxy(req)) return false;
    const proto = req.headers['x-forwarded-proto'];
    const first = (Array.isArray(proto) ? proto[0] : (proto ?? '')).split(',')[0].trim().toLowerCase();
    return first === 'https';
  }
}
