/**
 * Structure refinement over HTTP (contract/api.ts `RefinementRequest`, `RefinementView`):
 *   POST /api/reactors/:id/refinements                 (operator; the auth gate checks) → 202
 *   GET  /api/reactors/:id/refinements                 the newest first
 *   GET  /api/reactors/:id/refinements/:refinementId
 * The model refined is the reactor's own (a community model), a generated community with every
 * link, or a file sent; it is checked as the estimator needs it. A request refused is answered with
 * its reason, counted by reason (/metrics) and logged. Adopting the proposed model is the model's PUT.
 */
import type { IncomingMessage } from 'node:http';
import type Database from 'better-sqlite3';
import { z } from 'zod';
import { communityModel, communityNames, formatModelFile, fullCommunity } from '../../assimilation';
import type { RefinementRequest, RefinementResultView, RefinementView } from '../../contract/api';
import { prepareModelStatements } from '../../db/model-statements';
import type { RefinementRow, RefinementStatements } from '../../db/refinement-statements';
import { builtInModelRow, modelVersionOf, readReactorModelFile } from '../assimilator/reactor-models';
import { actorOf } from '../auth/principal';
import { HttpError } from '../http/http-error';
import { readJsonBody } from '../http/request-body';
import { idParameter, parseOr400, reactorIdParameter } from '../http/request-input';
import { sendJson } from '../http/responses';
import type { Route } from '../http/router';
import type { RefinementJobs } from './refinement-jobs';

export interface RefinementApiOptions {
  sqlite: Database.Database;
  jobs: RefinementJobs;
  statements: RefinementStatements;
  knownReactor: (id: string) => boolean;
}

const request = z.strictObject({
  model: z.enum(['current', 'community', 'file']).optional(),
  fileText: z.string().min(1).max(1_000_000).optional(),
  satellites: z.number().int().min(1).max(4).optional(),
  metabolites: z.number().int().min(1).max(4).optional(),
  hours: z
    .number()
    .min(6)
    .max(24 * 30)
    .optional(),
  alpha: z.number().gt(0).lt(0.5).optional(),
}) satisfies z.ZodType<RefinementRequest>;

const defaults = { hours: 96, alpha: 0.01, satellites: 1, metabolites: 2 };
const listLimit = 10;

export function refinementApiRoutes(options: RefinementApiOptions): Route[] {
  const { jobs, statements } = options;
  const models = prepareModelStatements(options.sqlite);
  const builtIn = builtInModelRow(Date.now());
  /** Refuses with a reason, counted and logged. */
  const refuse = (
    reason: string,
    status: number,
    error: string,
    detail: string,
    data: Record<string, unknown>,
  ): never => {
    jobs.refused(reason, { ...data, detail });
    throw new HttpError(status, error, detail);
  };
  const counted = <T>(reason: string, data: Record<string, unknown>, parse: () => T): T => {
    try {
      return parse();
    } catch (e) {
      if (e instanceof HttpError) refuse(reason, e.status, e.error, e.detail ?? e.error, data);
      throw e;
    }
  };
  const reactorOf = (raw: string): string => {
    const id = counted('bad-reactor-id', {}, () => parseOr400(reactorIdParameter, raw, 'reactor id'));
    if (!options.knownReactor(id))
      refuse('unknown-reactor', 404, 'unknown reactor', `no reactor "${id}" has sent a reading`, {
        reactorId: id,
      });
    return id;
  };
  const currentModel = (reactorId: string) => {
    const choice = models.reactorModel(reactorId);
    return (choice && models.model(choice.modelVersion)) || builtIn;
  };

  const start = async (req: IncomingMessage, reactorId: string): Promise<number> => {
    const raw = await readJsonBody(req);
    const q = counted('malformed-request', { reactorId }, () => parseOr400(request, raw, 'body'));
    const data = { reactorId, model: q.model ?? 'default' };
    const current = currentModel(reactorId);
    const currentIsCommunity = /^community:/m.test(current.fileText);
    const source = q.model ?? (q.fileText ? 'file' : currentIsCommunity ? 'current' : 'community');
    if ((source === 'file') !== (q.fileText !== undefined))
      refuse(
        'malformed-request',
        400,
        'malformed body',
        source === 'file'
          ? 'model "file" needs fileText'
          : `fileText is only for model "file", not "${source}"`,
        data,
      );
    if (source !== 'community' && (q.satellites !== undefined || q.metabolites !== undefined))
      refuse(
        'malformed-request',
        400,
        'malformed body',
        'satellites and metabolites are for model "community"',
        data,
      );
    const fileText =
      source === 'file'
        ? q.fileText!
        : source === 'current'
          ? current.fileText
          : generatedCommunity(q.satellites ?? defaults.satellites, q.metabolites ?? defaults.metabolites);
    const read = readReactorModelFile(fileText);
    if ('error' in read) return refuse('model-refused', 400, 'model file refused', read.error, data);
    const community = read.definition.community;
    if (!community)
      return refuse(
        'not-a-community',
        400,
        'not a community model',
        `model ${read.definition.name} has no community: section, so it has no links to test; refine a community model (model "community" generates one with every link)`,
        data,
      );
    const busy = jobs.runningFor(reactorId);
    const refuseBusy = (row: RefinementRow) =>
      refuse(
        'already-running',
        409,
        'a refinement is running',
        `refinement ${row.id} of reactor ${reactorId}, started ${new Date(row.requestedAtMs).toISOString()} by ${row.requestedBy}, is still running: one runs at a time per reactor`,
        data,
      );
    if (busy) refuseBusy(busy);
    try {
      return jobs.begin({
        reactorId,
        requestedBy: actorOf(req, undefined, 'operator'),
        source,
        modelName: read.definition.name,
        modelVersion: modelVersionOf(fileText),
        fileText,
        hours: q.hours ?? defaults.hours,
        alpha: q.alpha ?? defaults.alpha,
        linksTotal: community.links.filter((l) => !l.off).length,
      });
    } catch (e) {
      const raced = jobs.runningFor(reactorId);
      if ((e as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE' && raced) return refuseBusy(raced);
      throw e;
    }
  };

  return [
    {
      method: 'POST',
      path: '/api/reactors/:id/refinements',
      handle: async ({ req, res, params }) => {
        const reactorId = reactorOf(params.id);
        const id = await start(req, reactorId);
        const row = statements.byId(id, reactorId);
        if (!row) throw new Error(`refinement ${id} was stored but cannot be read back`);
        await sendJson(req, res, 202, refinementView(row));
      },
    },
    {
      method: 'GET',
      path: '/api/reactors/:id/refinements',
      handle: ({ req, res, params }) =>
        sendJson(req, res, 200, statements.ofReactor(reactorOf(params.id), listLimit).map(refinementView)),
    },
    {
      method: 'GET',
      path: '/api/reactors/:id/refinements/:refinementId',
      handle: async ({ req, res, params }) => {
        const reactorId = reactorOf(params.id);
        const id = counted('malformed-request', { reactorId }, () =>
          parseOr400(idParameter('a refinement id'), params.refinementId, 'refinement id'),
        );
        const row = statements.byId(id, reactorId);
        if (!row)
          throw new HttpError(404, 'unknown refinement', `reactor ${reactorId} has no refinement ${id}`);
        await sendJson(req, res, 200, refinementView(row));
      },
    },
  ];
}

function generatedCommunity(satellites: number, metabolites: number): string {
  const names = communityNames(satellites, metabolites);
  const definition = communityModel(
    `community-${satellites}-satellites-${metabolites}-metabolites`,
    `The main organism X on substrate S with satellites ${names.satellites.join(', ')} and metabolites ${names.metabolites.join(', ')}, with every uptake, production and inhibition link.`,
    fullCommunity(names.satellites, names.metabolites),
  );
  return formatModelFile(definition, {
    header:
      'Generated by culturewatch for a structure refinement: every link between an organism and a metabolite.',
  });
}

export function refinementView(row: RefinementRow): RefinementView {
  return {
    id: row.id,
    reactorId: row.reactorId,
    status: row.status,
    requestedAtMs: row.requestedAtMs,
    requestedBy: row.requestedBy,
    finishedAtMs: row.finishedAtMs,
    source: row.source as RefinementView['source'],
    model: { name: row.modelName, version: row.modelVersion },
    settings: JSON.parse(row.settingsJson) as RefinementView['settings'],
    progress: JSON.parse(row.progressJson) as RefinementView['progress'],
    error: row.error,
    result: row.resultJson === null ? null : (JSON.parse(row.resultJson) as RefinementResultView),
  };
}
