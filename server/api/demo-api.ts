/**
 * The simulator's demo controls (contract/api.ts), in simulator mode only (404 otherwise).
 *   GET  /api/demo
 *   POST /api/demo/:id/satellite-shift   {}
 *   POST /api/demo/:id/yield-shift       {}
 *   POST /api/demo/:id/dilution          {perHour}
 *   POST /api/demo/:id/fault             {kind, durationHours}
 */
import type { Logger } from 'pino';
import type { DemoActionResult, DemoFaultKind, DemoStatus } from '../../contract/api';
import { HttpError } from '../http/http-error';
import { readJsonBody } from '../http/request-body';
import { emptyBody, parseOr400, reactorIdParameter } from '../http/request-input';
import { sendJson } from '../http/responses';
import type { Route, RouteRequest } from '../http/router';
import { dilutionBody, faultBody } from './query-schemas';

/** The simulator's steering, present only in simulator mode. */
export interface DemoControls {
  status(): DemoStatus;
  has(reactorId: string): boolean;
  satelliteShift(reactorId: string): DemoActionResult;
  yieldShift(reactorId: string): DemoActionResult;
  dilution(reactorId: string, perHour: number): DemoActionResult;
  fault(reactorId: string, kind: DemoFaultKind, durationHours: number): DemoActionResult;
}

export function demoApiRoutes(demo: DemoControls | undefined, logger: Logger): Route[] {
  const log = logger.child({ job: 'api' });
  const controls = (): DemoControls => {
    if (!demo) throw new HttpError(404, 'simulator is off', 'demo controls exist only in simulator mode');
    return demo;
  };
  const action =
    (
      name: DemoActionResult['action'],
      act: (d: DemoControls, reactorId: string, body: unknown) => DemoActionResult,
    ) =>
    async ({ req, res, params }: RouteRequest) => {
      const d = controls();
      const reactorId = parseOr400(reactorIdParameter, params.id, 'reactor id');
      if (!d.has(reactorId))
        throw new HttpError(404, 'unknown reactor', `"${reactorId}" is not a simulated reactor`);
      const body = await readJsonBody(req);
      const result = act(d, reactorId, body);
      log.info({ reactorId, action: name, body }, 'demo action');
      await sendJson(req, res, 200, result);
    };

  return [
    {
      method: 'GET',
      path: '/api/demo',
      handle: ({ req, res }) => sendJson(req, res, 200, controls().status()),
    },
    {
      method: 'POST',
      path: '/api/demo/:id/satellite-shift',
      handle: action('satellite-shift', (d, id, body) => {
        parseOr400(emptyBody, body ?? {}, 'body');
        return d.satelliteShift(id);
      }),
    },
    {
      method: 'POST',
      path: '/api/demo/:id/yield-shift',
      handle: action('yield-shift', (d, id, body) => {
        parseOr400(emptyBody, body ?? {}, 'body');
        return d.yieldShift(id);
      }),
    },
    {
      method: 'POST',
      path: '/api/demo/:id/dilution',
      handle: action('dilution', (d, id, body) =>
        d.dilution(id, parseOr400(dilutionBody, body, 'body').perHour),
      ),
    },
    {
      method: 'POST',
      path: '/api/demo/:id/fault',
      handle: action('fault', (d, id, body) => {
        const { kind, durationHours } = parseOr400(faultBody, body, 'body');
        return d.fault(id, kind, durationHours);
      }),
    },
  ];
}
