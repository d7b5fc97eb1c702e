/** The webhook sender alone in a child process, on a database file, so a test can SIGKILL it mid-request. */
import pino from 'pino';
import { openDatabase } from '../../db/open-database';
import { WebhookSender } from '../../server/webhooks/webhook-sender';

const path = process.argv[2];
if (!path) throw new Error('usage: sender-process.ts <database>');
const db = openDatabase(path, { synchronous: 'normal' });
const sender = new WebhookSender({
  sqlite: db.sqlite,
  log: pino({ level: 'silent' }),
  backoff: { initialMs: 40, maxMs: 300 },
  requestTimeoutMs: 60_000,
  pollMs: 100,
});
await sender.start();
process.stdout.write('sender ready\n');
setInterval(() => {}, 1 << 30);
