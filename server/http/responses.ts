/** Writing JSON and errors, gzipped when the client takes it and the body is large. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { promisify } from 'node:util';
import { gzip } from 'node:zlib';
import type { ApiError } from '../../contract/api';

const gzipAsync = promisify(gzip);
const compressAboveBytes = 16 * 1024;

export async function sendJson(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  body: unknown,
): Promise<void> {
  const text = JSON.stringify(body);
  await sendText(req, res, status, text, 'application/json; charset=utf-8');
}

export async function sendText(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  text: string,
  contentType: string,
  headers: Record<string, string> = {},
): Promise<void> {
  let payload: Buffer = Buffer.from(text, 'utf8');
  const head: Record<string, string | number> = {
    'content-type': contentType,
    'cache-control': 'no-store',
    ...headers,
  };
  if (payload.length > compressAboveBytes && /\bgzip\b/.test(String(req.headers['accept-encoding'] ?? ''))) {
    payload = await gzipAsync(payload, { level: 1 });
    head['content-encoding'] = 'gzip';
    head.vary = 'accept-encoding';
  }
  head['content-length'] = payload.length;
  res.writeHead(status, head);
  res.end(req.method === 'HEAD' ? undefined : payload);
}

export function sendError(
  req: IncomingMessage,
  res: ServerResponse,
  status: number,
  error: string,
  detail?: string,
): Promise<void> {
  const body: ApiError = detail === undefined ? { error } : { error, detail };
  return sendJson(req, res, status, body);
}
