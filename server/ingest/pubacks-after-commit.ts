/**
 * Holds each QoS-1 PUBACK back until the readings of its message are committed, so that the broker
 * keeps (and redelivers) anything we have not yet written. A crash therefore loses nothing.
 *
 * mqtt.js sends the PUBACK when the message handler returns, and does not hand over the next
 * message until it has; deferring the handler's callback would allow one message per commit. So
 * the PUBACK itself is intercepted at the client's `_sendPacket` (an internal of mqtt.js 5) and
 * the client told it was sent, which lets intake run on while acknowledgements wait for the commit.
 */
import type { MqttClient } from 'mqtt';

interface Packet {
  cmd: string;
}
type SendPacket = (packet: Packet, callback?: (error?: Error) => void, ...rest: unknown[]) => void;

export interface CommitProgress {
  /** Items queued so far; a message's items are all queued before its PUBACK is sent. */
  readonly enqueuedSeq: number;
  readonly committedSeq: number;
}

export class PubacksAfterCommit {
  private held: { packet: Packet; seq: number }[] = [];
  private readonly send: SendPacket;
  private dropped = 0;

  constructor(
    private readonly client: MqttClient,
    private readonly progress: CommitProgress,
  ) {
    const internals = client as unknown as { _sendPacket: SendPacket };
    if (typeof internals._sendPacket !== 'function') {
      throw new Error('mqtt.js has no _sendPacket: pubacks cannot be held until commit with this version');
    }
    this.send = internals._sendPacket.bind(client);
    internals._sendPacket = (packet, callback, ...rest) => {
      if (packet.cmd !== 'puback' || progress.enqueuedSeq <= progress.committedSeq) {
        this.send(packet, callback, ...rest);
        return;
      }
      this.held.push({ packet, seq: progress.enqueuedSeq });
      callback?.();
    };
    // A PUBACK belongs to its connection: after a disconnect the broker redelivers those messages
    // instead, and a stale PUBACK on a new connection could acknowledge a different message.
    client.on('close', () => {
      this.dropped += this.held.length;
      this.held = [];
    });
  }

  /** Sends the held PUBACKs whose messages are now committed, in the order they were received. */
  release(): void {
    if (this.held.length === 0) return;
    if (!this.client.connected) {
      this.dropped += this.held.length;
      this.held = [];
      return;
    }
    const committed = this.progress.committedSeq;
    let n = 0;
    while (n < this.held.length && this.held[n].seq <= committed) this.send(this.held[n++].packet);
    this.held = n === this.held.length ? [] : this.held.slice(n);
  }

  get heldCount(): number {
    return this.held.length;
  }

  /** PUBACKs abandoned at a disconnect (their messages come again). */
  get droppedCount(): number {
    return this.dropped;
  }
}
