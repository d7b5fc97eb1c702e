/**
 * Experiment design over HTTP: what to do to learn more (the advisor, from the newest fit's
 * posterior), the dilution programs an operator accepted (recorded with who and when, then run by
 * the simulator in demo mode or published on MQTT for the plant, never applied otherwise), and
 * assay results entered by hand (stored as readings through the ingest path: late data to the chain).
 *   GET  /api/reactors/:id/design?horizonH=&targets=&minPerHour=&maxPerHour=&maxChangePerHour=&maxDurationH=&assayDelayH=
 *   GET  /api/reactors/:id/dilution-programs        POST … AcceptProgramRequest (operator)
 *   GET  /api/reactors/:id/assays                   POST … AssayEntryRequest (operator)
 */
import type { Logger } from 'pino';
import { z } from 'zod';
import {
  type AdvisorSettings,
  advisorSettingsOf,
  chainAgeing,
  type DesignPosterior,
  defaultAssayOptions,
  limitsProblem,
  programViolations,
} from '../../assimilation';
import type {
  AcceptedProgramView,
  AssayEntryView,
  AssaySignal,
  DilutionLimitsView,
  DilutionProgramView,
} from '../../contract/api';
import type { DesignStatements } from '../../db/design-statements';
import type { AssimilatorSettings } from '../assimilator/assimilator-settings';
import { chainOptionsOf } from '../assimilator/assimilator-settings';
import type { ReactorModels } from '../assimilator/reactor-models';
import { actorOf } from '../auth/principal';
import { HttpError } from '../http/http-error';
import { readJsonBody } from '../http/request-body';
import { parseOr400, queryObject, reactorIdParameter } from '../http/request-input';
import { sendJson } from '../http/responses';
import type { Route } from '../http/router';
import type { Ingester } from '../ingest/ingester';
import type { RejectionReason } from '../ingest/rejection-reasons';
import { runAdvice } from './advice-runner';
import { checkAssayEntry } from './assay-entry';
import { adviceView, programEndMs, programOf } from './design-views';
import type { DilutionProgramPublisher } from './dilution-program-publisher';

/** Where an accepted program goes in demo mode: the simulated plant follows it. */
export interface SimulatedPlants {
  has(reactorId: string): boolean;
  /** The plant time (epoch ms) of the simulated reactor's next reading: the earliest a program can start. */
  nextReadingMs(reactorId: string): number;
  followProgram(reactorId: string, program: DilutionProgramView): void;
}

export interface DesignApiOptions {
  statements: DesignStatements;
  /** The estimator's settings, for the ageing and noise the advice assumes (they may change). */
  assimilatorSettings: () => AssimilatorSettings;
  /** Which model each reactor runs (the advice is computed with it). */
  models: Pick<ReactorModels, 'of' | 'builtIn'>;
  /** The ingester's intake: a hand-entered assay is stored as a reading like any other. */
  ingester: Pick<Ingester, 'intake' | 'commitNow'>;
  publisher: Pick<DilutionProgramPublisher, 'publish'>;
  simulator: SimulatedPlants | undefined;
  logger: Logger;
  adviceTimeoutMs?: number;
}

const positive = z.coerce.number().positive().finite();
const adviceQuery = z.strictObject({
  horizonH: positive.max(24 * 14).default(72),
  targets: z
    .string()
    .max(500)
    .optional()
    .transform((t) =>
      t
        ? t
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean)
        : undefined,
    ),
  minPerHour: positive.max(10).default(0.18),
  maxPerHour: positive.max(10).default(0.32),
  maxChangePerHour: positive.max(10).default(0.05),
  maxDurationH: positive.max(24 * 14).optional(),
  assayDelayH: z.coerce
    .number()
    .min(0)
    .max(24 * 7)
    .default(6),
});

/** The limits as the advisor reads them, or a 400 naming what is wrong with them. */
function checkedLimits(limits: DilutionLimitsView): DilutionLimitsView {
  const problem = limitsProblem(limits);
  if (problem) throw new HttpError(400, 'unusable limits', problem);
  return limits;
}

const limitsBody = z.strictObject({
  minPerHour: z.number().positive().finite(),
  maxPerHour: z.number().positive().finite(),
  maxChangePerHour: z.number().positive().finite(),
  maxDurationH: z.number().positive().finite(),
});
const acceptBody = z.strictObject({
  program: z.strictObject({
    shape: z.enum(['hold', 'steps', 'ramps', 'pulses']),
    periodH: z.number().min(0).finite(),
    lowPerHour: z.number().positive().finite(),
    highPerHour: z.number().positive().finite(),
    startMs: z.number().int().nonnegative(),
    gridH: z.number().positive().finite(),
    perHour: z
      .array(z.number().positive().finite())
      .min(1)
      .max(24 * 4 * 14 + 1),
    durationH: z.number().min(0).finite(),
  }),
  limits: limitsBody,
  summary: z.string().min(1).max(300),
});

const listLimit = 50;

export function designApiRoutes(options: DesignApiOptions): Route[] {
  const log = options.logger.child({ job: 'design' });
  const { statements: s } = options;
  /** Assays between their check and their entry's record (reactor/signal/sampled ms): a second is refused. */
  const entering = new Set<string>();
  const reactorOf = (params: Record<string, string>): string => {
    const id = parseOr400(reactorIdParameter, params.id, 'reactor id');
    if (!s.reactorExists(id)) throw new HttpError(404, 'unknown reactor', `"${id}" has sent no readings`);
    return id;
  };

  const acceptedView = (row: ReturnType<DesignStatements['programs']>[number]): AcceptedProgramView => ({
    id: row.id,
    reactorId: row.reactorId,
    acceptedAtMs: row.acceptedAtMs,
    acceptedBy: row.acceptedBy,
    startMs: row.startMs,
    endMs: row.endMs,
    summary: row.summary,
    program: JSON.parse(row.programJson) as DilutionProgramView,
    limits: JSON.parse(row.limitsJson) as DilutionLimitsView,
    appliedBy: row.appliedBy === 'simulator' ? 'simulator' : 'mqtt',
  });

  return [
    {
      method: 'GET',
      path: '/api/reactors/:id/design',
      handle: async ({ req, res, params, url }) => {
        const reactorId = reactorOf(params);
        const q = parseOr400(adviceQuery, queryObject(url.searchParams), 'query');
        const limits = checkedLimits({
          minPerHour: q.minPerHour,
          maxPerHour: q.maxPerHour,
          maxChangePerHour: q.maxChangePerHour,
          maxDurationH: q.maxDurationH ?? q.horizonH,
        });
        // Advice is from the reactor's model: after a change of model, from the new chain's first fit.
        const running = options.models.of(reactorId, (msg, data) => log.warn(data, msg));
        const { model } = running;
        const stored = s.latestPosterior(reactorId, running.version, options.models.builtIn.version);
        if (!stored)
          throw new HttpError(
            409,
            'no posterior yet',
            `the reactor has no successful fit of its model ${model.definition.name} to advise from`,
          );
        const posterior = JSON.parse(stored.posteriorJson) as DesignPosterior;
        const chain = chainOptionsOf(model, options.assimilatorSettings());
        const settings: AdvisorSettings = advisorSettingsOf(chain.settings);
        const advice = await runAdvice(
          {
            definition: model.definition,
            posterior,
            ageing: chainAgeing(model, chain.settings, chain.initialParams),
            request: {
              horizonH: q.horizonH,
              ...(q.targets && { targets: q.targets }),
              limits,
              assays: defaultAssayOptions(model, chain.settings, q.assayDelayH),
            },
            settings,
          },
          options.adviceTimeoutMs ?? 60_000,
        );
        if ('error' in advice) throw new HttpError(400, 'no advice', advice.error);
        await sendJson(req, res, 200, adviceView(reactorId, stored.fitId, advice));
      },
    },
    {
      method: 'GET',
      path: '/api/reactors/:id/dilution-programs',
      handle: ({ req, res, params }) =>
        sendJson(req, res, 200, s.programs(reactorOf(params), listLimit).map(acceptedView)),
    },
    {
      method: 'POST',
      path: '/api/reactors/:id/dilution-programs',
      handle: async ({ req, res, params }) => {
        const reactorId = reactorOf(params);
        const body = parseOr400(acceptBody, await readJsonBody(req), 'body');
        const limits = checkedLimits(body.limits);
        // The program is checked against the limits it is accepted under: never outside them.
        const violations = programViolations(programOf(body.program), limits);
        if (violations.length > 0)
          throw new HttpError(400, 'program outside its limits', violations.join('; '));
        const simulated = options.simulator?.has(reactorId) ? options.simulator : undefined;
        // It was designed from the last fit's window end, which has passed: it runs from when it is
        // accepted (the plant's next reading in demo mode), its shape unchanged.
        const nowMs = simulated ? simulated.nextReadingMs(reactorId) : Date.now();
        const program = { ...body.program, startMs: Math.max(body.program.startMs, nowMs) };
        const by = actorOf(req, undefined, 'operator');
        const row = {
          reactorId,
          acceptedAtMs: Date.now(),
          acceptedBy: by,
          startMs: program.startMs,
          endMs: programEndMs(program),
          programJson: JSON.stringify(program),
          limitsJson: JSON.stringify(limits),
          summary: body.summary,
          appliedBy: simulated ? 'simulator' : 'mqtt',
        };
        // Recorded first: a program is never applied without its row.
        const accepted = acceptedView({ id: s.insertProgram(row), ...row });
        if (simulated) simulated.followProgram(reactorId, program);
        else options.publisher.publish(accepted);
        log.info(
          { reactorId, programId: accepted.id, by, appliedBy: accepted.appliedBy, startMs: program.startMs },
          'dilution program accepted',
        );
        await sendJson(req, res, 201, accepted);
      },
    },
    {
      method: 'GET',
      path: '/api/reactors/:id/assays',
      handle: ({ req, res, params }) =>
        sendJson(
          req,
          res,
          200,
          s
            .assays(reactorOf(params), listLimit)
            .map((r): AssayEntryView => ({ ...r, signal: r.signal.slice(6) as AssaySignal })),
        ),
    },
    {
      method: 'POST',
      path: '/api/reactors/:id/assays',
      handle: async ({ req, res, params }) => {
        const reactorId = reactorOf(params);
        const nowMs = Date.now();
        const body = await readJsonBody(req);
        const checked = checkAssayEntry(body, nowMs);
        const refuse = (status: number, reason: RejectionReason, detail: string): never => {
          // Counted, logged and kept with the readings refused over MQTT (culturewatch_readings_rejected_total).
          const payload = JSON.stringify(body) ?? '';
          options.ingester.intake.reject({
            receivedAtMs: nowMs,
            topic: `POST /api/reactors/${reactorId}/assays`,
            payloadExcerpt: payload.slice(0, 256),
            payloadBytes: Buffer.byteLength(payload),
            reason,
            detail,
          });
          throw new HttpError(status, reason, detail);
        };
        if (!checked.ok) return refuse(400, checked.reason, `${checked.field}: ${checked.detail}`);
        const key = `${reactorId}/${checked.readingSignal}/${checked.sampledAtMs}`;
        const recorded = entering.has(key)
          ? 'being entered now'
          : s.assayRecordedAt(reactorId, checked.readingSignal, checked.sampledAtMs);
        if (recorded !== undefined)
          return refuse(
            409,
            'assay-already-recorded',
            `sampledAt: an assay of ${checked.signal} sampled at ${new Date(checked.sampledAtMs).toISOString()} is already recorded (value ${recorded})`,
          );
        const by = actorOf(req, undefined, 'operator');
        const entry = {
          reactorId,
          signal: checked.readingSignal,
          value: checked.value,
          sampledAtMs: checked.sampledAtMs,
          measuredAtMs: checked.measuredAtMs,
          enteredAtMs: nowMs,
          enteredBy: by,
        };
        // Stored as a reading at its sampling time through the ingest path, which tells the
        // assimilator (late data: it refits the windows it falls in); recorded as an entry only once
        // the reading is committed, so that no entry stands for a reading the database lacks.
        entering.add(key);
        let id: number;
        try {
          options.ingester.intake.accept({
            reactorId,
            signal: checked.readingSignal,
            tsMs: checked.sampledAtMs,
            value: checked.value,
            receivedAtMs: nowMs,
          });
          if (!(await options.ingester.commitNow()))
            throw new HttpError(
              503,
              'database-unavailable',
              'the database refused the commit; the reading stays queued and is retried, but no entry is recorded: check the readings before entering it again',
            );
          id = s.insertAssay(entry);
        } finally {
          entering.delete(key);
        }
        log.info({ reactorId, signal: checked.signal, by }, 'assay entered by hand');
        await sendJson(req, res, 201, { ...entry, id, signal: checked.signal } satisfies AssayEntryView);
      },
    },
  ];
}
