/**
 * MQTT forbids a string (a topic, a client id, a username) that is not well-formed UTF-8 or holds
 * U+0000, and a receiver must close the connection (MQTT 3.1.1 §1.5.3, 5.0 §1.5.4); mosquitto does.
 * aedes decodes the bytes with U+FFFD for what is not UTF-8 and lets both through, so this hooks
 * the parser of each aedes client: such a string makes the packet unreadable, and aedes closes the
 * connection as for any malformed packet.
 */
import { isUtf8 } from 'node:buffer';
import type { Client } from 'aedes';

/** What aedes's client keeps of mqtt-packet's parser (aedes 1.x, mqtt-packet 9.x). */
interface PacketParser {
  _pos: number;
  _list: { slice(start: number, end: number): Buffer };
  packet: { cmd?: string };
  _parseString(...args: unknown[]): string | null;
}

export type MalformedString = { packet: string; reason: 'invalid-utf8' | 'null-character' };

/** Hooks `client`'s parser; `refused` hears of each string it refuses, before the connection closes. */
export function refuseMalformedStrings(client: Client, refused: (what: MalformedString) => void): void {
  const parser = (client as unknown as { _parser?: PacketParser })._parser;
  if (!parser || typeof parser._parseString !== 'function')
    throw new Error('aedes client without an mqtt-packet parser: check the aedes version');
  const parseString = parser._parseString;
  parser._parseString = function (this: PacketParser, ...args: unknown[]) {
    const start = this._pos + 2; // past the two length bytes
    const text = parseString.apply(this, args);
    if (text === null) return text;
    const packet = this.packet.cmd ?? 'unknown';
    if (text.includes('\u0000')) {
      refused({ packet, reason: 'null-character' });
      return null;
    }
    // U+FFFD is also a valid character: only the bytes tell whether the decoder made it up.
    if (text.includes('\ufffd') && !isUtf8(this._list.slice(start, this._pos))) {
      refused({ packet, reason: 'invalid-utf8' });
      return null;
    }
    return text;
  };
}
