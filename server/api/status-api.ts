/** The service's own state: `GET /healthz` (200 when all is well, 503 when degraded) and `GET /metrics`. */
import type { Health } from '../../contract/api';
import { sendJson, sendText } from '../http/responses';
import type { Route } from '../http/router';

export function statusApiRoutes(health: () => Health, metricsText: () => string): Route[] {
  return [
    {
      method: 'GET',
      path: '/healthz',
      handle: async ({ req, res }) => {
        const now = health();
        await sendJson(req, res, now.status === 'ok' ? 200 : 503, now);
      },
    },
    {
      method: 'GET',
      path: '/metrics',
      handle: ({ req, res }) =>
        sendText(req, res, 200, metricsText(), 'text/plain; version=0.0.4; charset=utf-8'),
    },
  ];
}
