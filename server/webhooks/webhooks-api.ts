/**
 * The webhook endpoints API (contract/api.ts): never answers with a secret, never logs a body.
 *   GET    /api/webhooks
 *   POST   /api/webhooks                   WebhookEndpointRequest
 *   PATCH  /api/webhooks/:id               Partial<WebhookEndpointRequest>
 *   DELETE /api/webhooks/:id               (its undelivered notifications are cancelled)
 *   GET    /api/webhooks/:id/deliveries?limit=
 *   POST   /api/webhooks/:id/test          {}  (a signed test notification now, outside the outbox)
 */

import type Database from 'better-sqlite3';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { WebhookDeliveryView, WebhookTestResult } from '../../contract/api';
import { prepareWebhookStatements } from '../../db/webhook-statements';
import { HttpError } from '../http/http-error';
import { readJsonBody } from '../http/request-body';
import {
  countParameter,
  emptyBody,
  emptyQuery,
  idParameter,
  parseOr400,
  queryObject,
} from '../http/request-input';
import { sendJson } from '../http/responses';
import type { Route } from '../http/router';
import {
  newWebhookEndpointSchema,
  redactedUrl,
  webhookEndpointPatchSchema,
  webhookEndpointView,
} from './webhook-endpoints';
import type { WebhookSender } from './webhook-sender';

export interface WebhooksApiContext {
  sqlite: Database.Database;
  /** Told when endpoints change, so the sender looks at once; sends the tests. */
  sender: Pick<WebhookSender, 'wake' | 'sendTest'>;
  logger: Logger;
  now?: () => number;
}

const endpointIdParameter = idParameter('an endpoint id');
const deliveriesQuery = z.strictObject({ limit: countParameter(1, 1000, 100) });

export function webhooksApiRoutes(ctx: WebhooksApiContext): Route[] {
  const now = ctx.now ?? Date.now;
  const log = ctx.logger.child({ job: 'webhooks-api' });
  const store = prepareWebhookStatements(ctx.sqlite);

  const lastAttempt = (endpointId: number): WebhookDeliveryView | null =>
    store.deliveryAttemptsOfEndpoint(endpointId, 1)[0] ?? null;
  const view = (id: number) => {
    const row = store.webhookEndpointById(id);
    if (!row) throw new HttpError(404, 'unknown webhook', `no webhook endpoint ${id}`);
    return webhookEndpointView(row, store.pendingCountsByEndpoint().get(id) ?? 0, lastAttempt(id));
  };
  const existing = (idText: string) => {
    const id = parseOr400(endpointIdParameter, idText, 'endpoint id');
    view(id);
    return id;
  };

  return [
    {
      method: 'GET',
      path: '/api/webhooks',
      handle: async ({ req, res, url }) => {
        parseOr400(emptyQuery, queryObject(url.searchParams), 'query');
        const pending = store.pendingCountsByEndpoint();
        const body = store
          .liveWebhookEndpoints()
          .map((row) => webhookEndpointView(row, pending.get(row.id) ?? 0, lastAttempt(row.id)));
        await sendJson(req, res, 200, body);
      },
    },
    {
      method: 'POST',
      path: '/api/webhooks',
      handle: async ({ req, res }) => {
        const input = parseOr400(newWebhookEndpointSchema, await readJsonBody(req), 'body');
        const at = now();
        const id = store.insertWebhookEndpoint({
          name: input.name,
          url: input.url,
          secret: input.secret,
          severitiesJson: JSON.stringify(input.severities),
          enabled: input.enabled,
          createdAtMs: at,
          updatedAtMs: at,
        });
        log.info({ endpointId: id, name: input.name, url: redactedUrl(input.url) }, 'webhook endpoint added');
        await sendJson(req, res, 201, view(id));
      },
    },
    {
      method: 'PATCH',
      path: '/api/webhooks/:id',
      handle: async ({ req, res, params }) => {
        const id = existing(params.id);
        const patch = parseOr400(webhookEndpointPatchSchema, await readJsonBody(req), 'body');
        const { severities, ...rest } = patch;
        store.changeWebhookEndpoint(id, {
          ...rest,
          ...(severities !== undefined && { severitiesJson: JSON.stringify(severities) }),
          updatedAtMs: now(),
        });
        ctx.sender.wake();
        log.info({ endpointId: id, changed: Object.keys(patch) }, 'webhook endpoint changed');
        await sendJson(req, res, 200, view(id));
      },
    },
    {
      method: 'DELETE',
      path: '/api/webhooks/:id',
      handle: async ({ res, params }) => {
        const id = existing(params.id);
        store.deleteWebhookEndpoint(id, now());
        log.info({ endpointId: id }, 'webhook endpoint deleted');
        res.writeHead(204).end();
      },
    },
    {
      method: 'POST',
      path: '/api/webhooks/:id/test',
      handle: async ({ req, res, params }) => {
        const id = existing(params.id);
        parseOr400(emptyBody, (await readJsonBody(req)) ?? {}, 'body');
        const endpoint = store.webhookEndpointById(id);
        if (!endpoint) throw new HttpError(404, 'unknown endpoint', `no webhook endpoint ${id}`);
        const body = JSON.stringify({
          receiver: endpoint.name,
          status: 'firing',
          test: true,
          title: 'culturewatch test notification',
          message: 'A test from culturewatch: this endpoint is reachable and the signature can be checked.',
          alerts: [],
        });
        const result: WebhookTestResult = await ctx.sender.sendTest(endpoint, body);
        await sendJson(req, res, 200, result);
      },
    },
    {
      method: 'GET',
      path: '/api/webhooks/:id/deliveries',
      handle: async ({ req, res, params, url }) => {
        const id = existing(params.id);
        const q = parseOr400(deliveriesQuery, queryObject(url.searchParams), 'query');
        const body: WebhookDeliveryView[] = store.deliveryAttemptsOfEndpoint(id, q.limit);
        await sendJson(req, res, 200, body);
      },
    },
  ];
}
