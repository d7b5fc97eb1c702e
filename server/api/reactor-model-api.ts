/**
 * The model each reactor runs (contract/api.ts `ReactorModelView`):
 *   GET /api/reactors/:id/model
 *   PUT /api/reactors/:id/model   ReactorModelRequest (operator; the auth gate checks)
 * A reactor that has not sent a reading yet (its page may be open) runs the built-in model when it
 * does, and GET says so; a model is chosen only for a known reactor. A new model (with its trained
 * weights, for a neural term) is checked as the estimator needs it, stored by version, chosen for the reactor, and
 * the assimilator restarted: the reactor's chain sees another model and starts afresh, the other
 * reactors' chains are restored as they were.
 */
import type Database from 'better-sqlite3';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { ReactorModelView } from '../../contract/api';
import { type ModelRow, prepareModelStatements } from '../../db/model-statements';
import type { AssimilatorSettings } from '../assimilator/assimilator-settings';
import { builtInModelRow, modelVersionOf, readReactorModelFile } from '../assimilator/reactor-models';
import { actorOf } from '../auth/principal';
import { HttpError } from '../http/http-error';
import { largestBodyBytes, readJsonBody } from '../http/request-body';
import { parseOr400, reactorIdParameter } from '../http/request-input';
import { sendJson } from '../http/responses';
import type { Route } from '../http/router';
import { effectiveAssimilatorSettings } from './estimator-settings-api';

const request = z.strictObject({
  fileText: z.string().min(1),
  weightsText: z.string().min(1).optional(),
});

/** A model file with its network's weights file (the example hybrid's, with its training domain, is 20 KiB). */
const modelBodyBytes = largestBodyBytes;

export interface ReactorModelApiOptions {
  sqlite: Database.Database;
  knownReactor: (id: string) => boolean;
  configured: AssimilatorSettings;
  /** Absent when the assimilator is off. */
  assimilator: { reconfigure(settings: AssimilatorSettings): Promise<void> } | undefined;
  logger: Logger;
}

export function reactorModelApiRoutes(options: ReactorModelApiOptions): Route[] {
  const log = options.logger.child({ job: 'reactor-models' });
  const statements = prepareModelStatements(options.sqlite);
  const builtIn = builtInModelRow(Date.now());
  statements.addModel(builtIn);
  const reactorOf = (raw: string) => {
    const id = parseOr400(reactorIdParameter, raw, 'reactor id');
    if (!options.knownReactor(id))
      throw new HttpError(404, 'unknown reactor', `no reactor "${id}" has sent a reading`);
    return id;
  };
  const view = (reactorId: string): ReactorModelView => {
    const choice = statements.reactorModel(reactorId);
    const row: ModelRow = (choice && statements.model(choice.modelVersion)) || builtIn;
    const read = readReactorModelFile(row.fileText, row.weightsText);
    if ('error' in read) throw new HttpError(500, 'stored model unreadable', read.error);
    const d = read.definition;
    return {
      reactorId,
      version: row.version,
      name: d.name,
      description: d.description,
      builtIn: !choice,
      setAtMs: choice?.setAtMs ?? null,
      setBy: choice?.setBy ?? null,
      fileText: row.fileText,
      states: [...d.states],
      parameters: d.parameters.map((p) => ({
        name: p.name,
        description: p.description,
        unit: p.unit,
        plantValue: p.plantValue,
        usuallyFixed: p.usuallyFixed ?? false,
      })),
      intermediates: d.intermediates.map(([name, formula]) => [name, formula]),
      rates: { ...d.rates },
      signals: { ...d.signals },
      links:
        d.community?.links.map((l) => ({
          kind: l.kind,
          organism: l.organism,
          metabolite: l.metabolite,
          off: l.off ?? false,
        })) ?? null,
      network: read.weights && {
        ...read.weights.network,
        trainedContribution: read.weights.contribution,
        training: read.weights.training,
      },
    };
  };
  return [
    {
      method: 'GET',
      path: '/api/reactors/:id/model',
      handle: ({ req, res, params }) =>
        sendJson(req, res, 200, view(parseOr400(reactorIdParameter, params.id, 'reactor id'))),
    },
    {
      method: 'PUT',
      path: '/api/reactors/:id/model',
      maxBodyBytes: modelBodyBytes,
      handle: async ({ req, res, params }) => {
        const reactorId = reactorOf(params.id);
        const body = await readJsonBody(req, modelBodyBytes);
        const { fileText, weightsText = null } = parseOr400(request, body, 'body');
        const read = readReactorModelFile(fileText, weightsText);
        if ('error' in read) throw new HttpError(400, 'model file refused', read.error);
        if (!options.assimilator)
          throw new HttpError(409, 'the assimilator is off', 'ASSIMILATOR=off: no estimator runs a model');
        const version = modelVersionOf(fileText, weightsText);
        const before = statements.reactorModel(reactorId)?.modelVersion ?? builtIn.version;
        const by = actorOf(req, undefined, 'operator');
        const now = Date.now();
        statements.setReactorModel(
          { version, name: read.definition.name, fileText, weightsText, addedAtMs: now },
          { reactorId, modelVersion: version, setAtMs: now, setBy: by },
        );
        log.info(
          { reactorId, model: read.definition.name, version, from: before, by },
          'reactor model changed',
        );
        if (version !== before)
          await options.assimilator.reconfigure(
            effectiveAssimilatorSettings(options.configured, options.sqlite, log),
          );
        await sendJson(req, res, 200, view(reactorId));
      },
    },
  ];
}
