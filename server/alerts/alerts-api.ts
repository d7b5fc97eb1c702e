/**
 * The alerts API (contract/api.ts, "Alerts and webhooks"): the alarms and their history,
 * acknowledge and clear, and the rules.
 *   GET    /api/alerts?reactor=&state=active|all&from=&to=&limit=
 *   POST   /api/alerts/:id/acknowledge   {by?}
 *   POST   /api/alerts/:id/clear         {by?}
 *   GET    /api/alert-rules
 *   PUT    /api/alert-rules/:id          {rule, by?}
 *   POST   /api/alert-rules/preview      {rule, days?}  (replayed over the stored history, nothing written)
 *   DELETE /api/alert-rules/:id
 * Changes are recorded under the logged-in user (or `token:<name>`); `by` counts only with AUTH=off.
 */
import type { Logger } from 'pino';
import { z } from 'zod';
import type { AlertsResponse } from '../../contract/api';
import type { AlertStatements } from '../../db/alert-statements';
import { actorOf } from '../auth/principal';
import { HttpError } from '../http/http-error';
import { readJsonBody } from '../http/request-body';
import {
  countParameter,
  emptyQuery,
  idParameter,
  parseOr400,
  plainText,
  queryObject,
  rangeFields,
  reactorIdParameter,
  refuseInvertedRange,
} from '../http/request-input';
import { sendJson } from '../http/responses';
import type { Route } from '../http/router';
import { alarmEventView, alarmView } from './alarm-recorder';
import type { AlertEngine } from './alert-engine';
import {
  alertRuleView,
  alertRuleViews,
  loadAlertRules,
  putAlertRule,
  removeAlertRule,
} from './alert-rule-store';
import { AlertRuleError, parseAlertRule } from './alert-rules';
import { previewRule } from './rule-preview';

export interface AlertsApiContext {
  store: AlertStatements;
  engine: AlertEngine;
  logger: Logger;
  now?: () => number;
}

const alertsQuery = z
  .strictObject({
    reactor: reactorIdParameter.optional(),
    state: z.enum(['active', 'all']).default('active'),
    ...rangeFields,
    limit: countParameter(1, 5000, 200),
  })
  .superRefine(refuseInvertedRange);

const actorName = plainText(120);
const actionBody = z.strictObject({ by: actorName.optional() });
const ruleBody = z.strictObject({ rule: z.unknown(), by: actorName.optional() });
const previewBody = z.strictObject({
  rule: z.unknown(),
  days: z.number().int('whole days').min(1, 'at least 1 day').max(90, 'at most 90 days').default(7),
});

function ruleOr400(input: unknown): ReturnType<typeof parseAlertRule> {
  try {
    return parseAlertRule(input);
  } catch (error) {
    if (error instanceof AlertRuleError) throw new HttpError(400, 'malformed rule', error.message);
    throw error;
  }
}
const alarmIdParameter = idParameter('an alarm id');
const ruleIdParameter = z.string().regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'expected a rule id');

export const defaultActor = 'operator';

export function alertsApiRoutes(ctx: AlertsApiContext): Route[] {
  const now = ctx.now ?? Date.now;
  const log = ctx.logger.child({ job: 'alerts-api' });

  const alarmAction = (action: 'acknowledge' | 'clear'): Route => ({
    method: 'POST',
    path: `/api/alerts/:id/${action}`,
    handle: async ({ req, res, params }) => {
      const alarmId = parseOr400(alarmIdParameter, params.id, 'alarm id');
      const body = parseOr400(actionBody, (await readJsonBody(req)) ?? {}, 'body');
      const actor = actorOf(req, body.by, defaultActor);
      const result =
        action === 'acknowledge' ? ctx.engine.acknowledge(alarmId, actor) : ctx.engine.clear(alarmId, actor);
      if (!result.ok) {
        throw new HttpError(
          result.status,
          result.status === 404 ? 'unknown alarm' : `cannot ${action}`,
          result.reason,
        );
      }
      log.info({ alarmId, action, actor }, 'alarm changed by an operator');
      await sendJson(req, res, 200, alarmView(ctx.store.alarmById(alarmId)!));
    },
  });

  return [
    {
      method: 'GET',
      path: '/api/alerts',
      handle: async ({ req, res, url }) => {
        const q = parseOr400(alertsQuery, queryObject(url.searchParams), 'query');
        const body: AlertsResponse = {
          alarms: ctx.store
            .alarmsToList({
              reactorId: q.reactor,
              openOnly: q.state === 'active',
              limit: q.limit,
            })
            .map(alarmView),
          events: ctx.store
            .alarmEventsInRange({
              reactorId: q.reactor,
              fromMs: q.from,
              toMs: q.to,
              limit: q.limit,
            })
            .map(alarmEventView),
        };
        await sendJson(req, res, 200, body);
      },
    },
    alarmAction('acknowledge'),
    alarmAction('clear'),
    {
      method: 'GET',
      path: '/api/alert-rules',
      handle: async ({ req, res, url }) => {
        parseOr400(emptyQuery, queryObject(url.searchParams), 'query');
        await sendJson(req, res, 200, alertRuleViews(ctx.store));
      },
    },
    {
      method: 'PUT',
      path: '/api/alert-rules/:id',
      handle: async ({ req, res, params }) => {
        const id = parseOr400(ruleIdParameter, params.id, 'rule id');
        const body = parseOr400(ruleBody, await readJsonBody(req), 'body');
        const given = typeof body.rule === 'object' && body.rule !== null ? body.rule : undefined;
        if (given && 'id' in given && given.id !== id)
          throw new HttpError(
            400,
            'id mismatch',
            `the path names rule "${id}", the body ${JSON.stringify(given.id)}`,
          );
        const rule = ruleOr400(given ? { ...given, id } : body.rule);
        const row = putAlertRule(ctx.store, rule, actorOf(req, body.by, defaultActor), now());
        ctx.engine.setRules(loadAlertRules(ctx.store, log));
        log.info({ ruleId: id, by: row.updatedBy }, 'alert rule written');
        await sendJson(req, res, 200, alertRuleView(row));
      },
    },
    {
      method: 'POST',
      path: '/api/alert-rules/preview',
      handle: async ({ req, res }) => {
        const body = parseOr400(previewBody, await readJsonBody(req), 'body');
        await sendJson(req, res, 200, previewRule(ctx.store, ruleOr400(body.rule), body.days));
      },
    },
    {
      method: 'DELETE',
      path: '/api/alert-rules/:id',
      handle: async ({ res, params }) => {
        const id = parseOr400(ruleIdParameter, params.id, 'rule id');
        if (!ctx.store.alertRule(id)) throw new HttpError(404, 'unknown rule', `no rule "${id}"`);
        removeAlertRule(ctx.store, id);
        ctx.engine.setRules(loadAlertRules(ctx.store, log));
        log.info({ ruleId: id }, 'alert rule deleted');
        res.writeHead(204).end();
      },
    },
  ];
}
