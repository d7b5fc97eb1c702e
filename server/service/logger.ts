/** Structured JSON logs (pino); readable lines through pino-pretty when stdout is a terminal. */
import pino, { type Logger } from 'pino';
import pretty from 'pino-pretty';

export function createLogger(level: pino.LevelWithSilent, format: 'auto' | 'json' | 'pretty'): Logger {
  const usePretty = format === 'pretty' || (format === 'auto' && process.stdout.isTTY === true);
  if (!usePretty) return pino({ level });
  return pino({ level }, pretty({ colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' }));
}
