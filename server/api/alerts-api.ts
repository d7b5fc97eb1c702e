/**
 * The alerts API (contract/api.ts, "Alerts and webhooks"): the alarms and their history,
 * acknowledge and clear, and the rules.
 *   GET    /api/alerts?reactor=&state=active|all&from=&to=&limit=
 *   POST   /api/alerts/:id/acknowledge   {by?}
 *   POST   /api/alerts/:id/clear         {by?}
 *   GET    /api/alert-rules
 *   PUT    /api/alert-rules/:id          {rule, by?}
 *   DELETE /api/alert-rules/:id
 * Changes are recorded under the logged-in user (or `token:<name>`); `by` counts only with AUTH=off.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { AlertsResponse } from '../../contract/api';
import type { CulturewatchDb } from '../../db/open-database';
import { alarmById, alarmEventsInRange, alarmsToList } from '../../db/queries/alarms';
import { alertRuleRow } from '../../db/queries/alert-rules';
import { alarmEventView, alarmView } from '../alerts/alarm-recorder';
import type { AlertEngine } from '../alerts/alert-engine';
import {
  alertRuleView,
  alertRuleViews,
  loadAlertRules,
  putAlertRule,
  removeAlertRule,
} from '../alerts/alert-rule-store';
import { AlertRuleError, parseAlertRule } from '../alerts/alert-rules';
import { actorOf } from '../auth/principal';
import { type AlertsRoute, readJsonBody, routeHandler } from './alerts-api-routes';
import { HttpError } from './api-error';
import { sendJson } from './http-responses';
import { parseOr400, queryObject, reactorIdParameter } from './query-schemas';

export interface AlertsApiContext {
  db: CulturewatchDb;
  engine: AlertEngine;
  logger: Logger;
  now?: () => number;
}

const maxEpochMs = 253_402_300_799_999;
const isoWithZone = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/;

/** ISO-8601 with a zone, or integer epoch ms. */
export const timeParameter = z.string().transform((text, ctx) => {
  const ms = /^\d+$/.test(text) ? Number(text) : isoWithZone.test(text) ? Date.parse(text) : Number.NaN;
  if (Number.isFinite(ms) && ms >= 0 && ms <= maxEpochMs) return ms;
  ctx.addIssue({
    code: 'custom',
    message: 'expected ISO-8601 with a zone (2024-05-01T12:00:00Z) or epoch ms',
  });
  return z.NEVER;
});

const alertsQuery = z
  .strictObject({
    reactor: reactorIdParameter.optional(),
    state: z.enum(['active', 'all']).default('active'),
    from: timeParameter.optional(),
    to: timeParameter.optional(),
    limit: z
      .string()
      .regex(/^\d+$/, 'expected a whole number')
      .transform(Number)
      .pipe(z.number().int().min(1).max(5000, 'at most 5000'))
      .default(200),
  })
  .superRefine((q, ctx) => {
    if (q.from !== undefined && q.to !== undefined && q.from > q.to)
      ctx.addIssue({ code: 'custom', path: ['from'], message: 'from is after to (inverted range)' });
  });

const actorName = z.string().trim().min(1).max(120);
const actionBody = z.strictObject({ by: actorName.optional() });
const ruleBody = z.strictObject({ rule: z.unknown(), by: actorName.optional() });
const alarmIdParameter = z
  .string()
  .regex(/^\d{1,15}$/, 'expected an alarm id')
  .transform(Number);
const ruleIdParameter = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'expected a rule id');

export const defaultActor = 'operator';

export function createAlertsApiHandler(
  ctx: AlertsApiContext,
): (req: IncomingMessage, res: ServerResponse) => boolean {
  const now = ctx.now ?? Date.now;
  const log = ctx.logger.child({ job: 'alerts-api' });

  const routes: AlertsRoute[] = [
    {
      method: 'GET',
      pattern: /^\/api\/alerts$/,
      handler: async (req, res, _params, url) => {
        const q = parseOr400(alertsQuery, queryObject(url.searchParams), 'query');
        const body: AlertsResponse = {
          alarms: alarmsToList(ctx.db, {
            reactorId: q.reactor,
            openOnly: q.state === 'active',
            limit: q.limit,
          }).map(alarmView),
          events: alarmEventsInRange(ctx.db, {
            reactorId: q.reactor,
            fromMs: q.from,
            toMs: q.to,
            limit: q.limit,
          }).map(alarmEventView),
        };
        await sendJson(req, res, 200, body);
      },
    },
    {
      method: 'POST',
      pattern: /^\/api\/alerts\/([^/]+)\/(acknowledge|clear)$/,
      handler: async (req, res, [idText, action]) => {
        const alarmId = parseOr400(alarmIdParameter, idText, 'alarm id');
        const body = parseOr400(actionBody, (await readJsonBody(req)) ?? {}, 'body');
        const actor = actorOf(req, body.by, defaultActor);
        const result =
          action === 'acknowledge'
            ? ctx.engine.acknowledge(alarmId, actor)
            : ctx.engine.clear(alarmId, actor);
        if (!result.ok) {
          throw new HttpError(
            result.status,
            result.status === 404 ? 'unknown alarm' : `cannot ${action}`,
            result.reason,
          );
        }
        log.info({ alarmId, action, actor }, 'alarm changed by an operator');
        await sendJson(req, res, 200, alarmView(alarmById(ctx.db, alarmId)!));
      },
    },
    {
      method: 'GET',
      pattern: /^\/api\/alert-rules$/,
      handler: async (req, res, _params, url) => {
        parseOr400(z.strictObject({}), queryObject(url.searchParams), 'query');
        await sendJson(req, res, 200, alertRuleViews(ctx.db));
      },
    },
    {
      method: 'PUT',
      pattern: /^\/api\/alert-rules\/([^/]+)$/,
      handler: async (req, res, [idText]) => {
        const id = parseOr400(ruleIdParameter, idText, 'rule id');
        const body = parseOr400(ruleBody, await readJsonBody(req), 'body');
        const input = typeof body.rule === 'object' && body.rule !== null ? { ...body.rule, id } : body.rule;
        let rule: ReturnType<typeof parseAlertRule>;
        try {
          rule = parseAlertRule(input);
        } catch (error) {
          if (error instanceof AlertRuleError) throw new HttpError(400, 'malformed rule', error.message);
          throw error;
        }
        const row = putAlertRule(ctx.db, rule, actorOf(req, body.by, defaultActor), now());
        ctx.engine.setRules(loadAlertRules(ctx.db, log));
        log.info({ ruleId: id, by: row.updatedBy }, 'alert rule written');
        await sendJson(req, res, 200, alertRuleView(row));
      },
    },
    {
      method: 'DELETE',
      pattern: /^\/api\/alert-rules\/([^/]+)$/,
      handler: async (_req, res, [idText]) => {
        const id = parseOr400(ruleIdParameter, idText, 'rule id');
        if (!alertRuleRow(ctx.db, id)) throw new HttpError(404, 'unknown rule', `no rule "${id}"`);
        removeAlertRule(ctx.db, id);
        ctx.engine.setRules(loadAlertRules(ctx.db, log));
        log.info({ ruleId: id }, 'alert rule deleted');
        res.writeHead(204).end();
      },
    },
  ];

  return routeHandler(
    routes,
    (path) =>
      path === '/api/alerts' || path.startsWith('/api/alerts/') || path.startsWith('/api/alert-rules'),
    log,
  );
}
