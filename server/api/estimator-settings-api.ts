/**
 * The estimator settings an operator may change (contract/api.ts `EstimatorSettingsView`): window,
 * step and forecast. Stored in the database over the environment's, and applied by restarting the
 * assimilator's worker.
 *   GET /api/estimator-settings
 *   PUT /api/estimator-settings   EstimatorSettingsRequest (operator; the auth gate checks)
 */

import type Database from 'better-sqlite3';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { EstimatorSettingsView } from '../../contract/api';
import { prepareEstimatorSettingsStatements } from '../../db/estimator-settings-statements';
import type { AssimilatorSettings } from '../assimilator/assimilator-settings';
import { actorOf } from '../auth/principal';
import { HttpError } from '../http/http-error';
import { readJsonBody } from '../http/request-body';
import { parseOr400 } from '../http/request-input';
import { sendJson } from '../http/responses';
import type { Route } from '../http/router';

const changeable = z.strictObject({
  windowHours: z.number().min(1).max(72).optional(),
  stepHours: z.number().min(0.25).max(72).optional(),
  forecastHours: z.number().min(0).max(168).optional(),
});
type Changeable = z.infer<typeof changeable>;

/** The stored operator settings; a row that no longer validates is ignored (and said so). */
function storedOverrides(
  sqlite: Database.Database,
  log: Logger,
): (Changeable & { atMs: number; by: string }) | undefined {
  const row = prepareEstimatorSettingsStatements(sqlite).estimatorSettingsRow();
  if (!row) return undefined;
  let json: unknown;
  try {
    json = JSON.parse(row.settingsJson);
  } catch {
    json = undefined;
  }
  const parsed = changeable.safeParse(json);
  if (!parsed.success) {
    log.warn({ settings: row.settingsJson }, 'stored estimator settings are invalid; using the environment');
    return undefined;
  }
  return { ...parsed.data, atMs: row.updatedAtMs, by: row.updatedBy };
}

function withOverrides(configured: AssimilatorSettings, stored: Changeable | undefined): AssimilatorSettings {
  if (!stored) return configured;
  const merged = {
    ...configured,
    ...(stored.windowHours !== undefined && { windowHours: stored.windowHours }),
    ...(stored.stepHours !== undefined && { stepHours: stored.stepHours }),
    ...(stored.forecastHours !== undefined && { forecastHours: stored.forecastHours }),
  };
  return merged.stepHours <= merged.windowHours ? merged : configured;
}

/** The environment's settings with the operator's over them. */
export function effectiveAssimilatorSettings(
  configured: AssimilatorSettings,
  sqlite: Database.Database,
  logger: Logger,
): AssimilatorSettings {
  return withOverrides(configured, storedOverrides(sqlite, logger));
}

export interface EstimatorSettingsApiOptions {
  sqlite: Database.Database;
  configured: AssimilatorSettings;
  /** Absent when the assimilator is off. */
  assimilator: { reconfigure(settings: AssimilatorSettings): Promise<void> } | undefined;
  logger: Logger;
}

export function estimatorSettingsApiRoutes(options: EstimatorSettingsApiOptions): Route[] {
  const log = options.logger.child({ job: 'estimator-settings' });
  const view = (): EstimatorSettingsView => {
    const stored = storedOverrides(options.sqlite, log);
    const current = withOverrides(options.configured, stored);
    return {
      windowHours: current.windowHours,
      stepHours: current.stepHours,
      forecastHours: current.forecastHours,
      source: stored ? 'api' : 'config',
      updatedAtMs: stored?.atMs ?? null,
      updatedBy: stored?.by ?? null,
      assimilatorEnabled: options.assimilator !== undefined,
    };
  };
  return [
    {
      method: 'GET',
      path: '/api/estimator-settings',
      handle: ({ req, res }) => sendJson(req, res, 200, view()),
    },
    {
      method: 'PUT',
      path: '/api/estimator-settings',
      handle: async ({ req, res }) => {
        const body = parseOr400(changeable, await readJsonBody(req), 'body');
        if (!options.assimilator)
          throw new HttpError(
            409,
            'the assimilator is off',
            'ASSIMILATOR=off: there is nothing to configure',
          );
        const current = effectiveAssimilatorSettings(options.configured, options.sqlite, log);
        const next = { ...current, ...body };
        if (next.stepHours > next.windowHours)
          throw new HttpError(
            400,
            'step longer than window',
            `stepHours ${next.stepHours} > windowHours ${next.windowHours}`,
          );
        const by = actorOf(req, undefined, 'operator');
        const saved = {
          windowHours: next.windowHours,
          stepHours: next.stepHours,
          forecastHours: next.forecastHours,
        };
        prepareEstimatorSettingsStatements(options.sqlite).saveEstimatorSettingsRow({
          settingsJson: JSON.stringify(saved),
          updatedAtMs: Date.now(),
          updatedBy: by,
        });
        log.info({ ...saved, by }, 'estimator settings changed');
        await options.assimilator.reconfigure(next);
        await sendJson(req, res, 200, view());
      },
    },
  ];
}
