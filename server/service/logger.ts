/** Structured JSON logs (pino); readable lines through pino-pretty when stdout is a terminal. */
import pino, { type Logger } from 'pino';
import pretty from 'pino-pretty';

/**
 * No code of ours logs a credential; this catches one that slips in (a request's headers, a body
 * with a password, secret or token) before it reaches the log.
 */
const redact = {
  paths: [
    'password',
    'secret',
    'token',
    '*.password',
    '*.secret',
    '*.token',
    'headers.authorization',
    'headers.cookie',
    '*.headers.authorization',
    '*.headers.cookie',
  ],
  censor: '[redacted]',
};

export function createLogger(level: pino.LevelWithSilent, format: 'auto' | 'json' | 'pretty'): Logger {
  const usePretty = format === 'pretty' || (format === 'auto' && process.stdout.isTTY === true);
  if (!usePretty) return pino({ level, redact });
  return pino(
    { level, redact },
    pretty({ colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' }),
  );
}
