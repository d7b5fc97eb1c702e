/** The one way a handler reads a request body: UTF-8 JSON, at most `maxBodyBytes`. */
import { isUtf8 } from 'node:buffer';
import type { IncomingMessage } from 'node:http';
import { HttpError } from './http-error';

/** The body limit of every route but those that declare their own (`Route.maxBodyBytes`): a larger one is answered 413 (an announced one before it is sent). */
export const maxBodyBytes = 16 * 1024;

/**
 * The largest body any route takes (a model file with its network's trained weights): an announced
 * body beyond it is refused before the request is even routed or authenticated.
 */
export const largestBodyBytes = 256 * 1024;

export const bodyTooLarge = (limit = maxBodyBytes) =>
  new HttpError(413, 'body too large', `at most ${limit} bytes`, 'body-too-large');

/** The request body as JSON; undefined when empty. `limit`: the route's body limit. */
export async function readJsonBody(req: IncomingMessage, limit = maxBodyBytes): Promise<unknown> {
  const bytes = await readBody(req, limit);
  // Decoding would turn each bad byte into U+FFFD, and that would be stored.
  if (!isUtf8(bytes)) throw new HttpError(400, 'malformed body', 'not UTF-8', 'body-not-utf8');
  const text = bytes.toString('utf8').trim();
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw new HttpError(400, 'malformed body', 'not JSON', 'body-not-json');
  }
}

/**
 * The body's bytes. Past the limit it stops collecting and refuses at once, but leaves the stream
 * flowing (not destroyed), so the 413 reaches the client (lingering-close.ts).
 */
function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const done = () => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('close', onClose);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) return void chunks.push(chunk);
      done();
      req.resume();
      reject(bodyTooLarge(limit));
    };
    const onEnd = () => {
      done();
      resolve(Buffer.concat(chunks));
    };
    const onClose = () => {
      done();
      // The client went away before the end of its body (router.ts logs it at info).
      reject(Object.assign(new Error('aborted'), { code: 'ECONNRESET' }));
    };
    req.on('data', onData);
    req.once('end', onEnd);
    req.once('close', onClose);
  });
}
