/**
 * Structure refinement and adopting its model (contract/api.ts, "Structure refinement"): start one,
 * read them back, and put the proposed model to the reactor through the model's PUT.
 */
import type { ReactorModelView, RefinementRequest, RefinementView } from '../../contract/api';
import { jsonBody, requestJson } from './api-client';

const reactorPath = (reactorId: string) => `/api/reactors/${encodeURIComponent(reactorId)}`;

export function fetchRefinements(reactorId: string, signal?: AbortSignal): Promise<RefinementView[]> {
  return requestJson(`${reactorPath(reactorId)}/refinements`, { signal });
}

export function startRefinement(reactorId: string, request: RefinementRequest): Promise<RefinementView> {
  return requestJson(`${reactorPath(reactorId)}/refinements`, jsonBody('POST', request));
}

/** The reactor runs this model file from now on: a new estimator chain; earlier fits keep their model. */
export function adoptModel(reactorId: string, fileText: string): Promise<ReactorModelView> {
  return requestJson(`${reactorPath(reactorId)}/model`, jsonBody('PUT', { fileText }));
}
