/** The one way a handler reads a request body: JSON, at most `maxBodyBytes`. */
import type { IncomingMessage } from 'node:http';
import { HttpError } from './http-error';

/** The body limit of every route: a larger one is answered 413. */
export const maxBodyBytes = 16 * 1024;

/** The request body as JSON; undefined when empty. */
export async function readJsonBody(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > maxBodyBytes) throw new HttpError(413, 'body too large', `at most ${maxBodyBytes} bytes`);
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpError(400, 'malformed body', 'not JSON');
  }
}
