/**
 * The experiment-design API (contract/api.ts, "Experiment design"): what to do to learn more, the
 * dilution programs operators accepted, and assay results entered by hand. Requests go through
 * api-client.ts, which adds the CSRF token to every change.
 */
import type {
  AcceptedProgramView,
  AcceptProgramRequest,
  AssayEntryRequest,
  AssayEntryView,
  DesignAdviceView,
  DilutionLimitsView,
} from '../../contract/api';
import { jsonBody, requestJson } from './api-client';

const reactorPath = (reactorId: string) => `/api/reactors/${encodeURIComponent(reactorId)}`;

export interface AdviceAsk {
  horizonH: number;
  limits: Omit<DilutionLimitsView, 'maxDurationH'>;
}

/** Takes a few seconds: the service works out every candidate's predicted posterior. */
export function fetchDesignAdvice(
  reactorId: string,
  ask: AdviceAsk,
  signal?: AbortSignal,
): Promise<DesignAdviceView> {
  const search = new URLSearchParams({
    horizonH: String(ask.horizonH),
    minPerHour: String(ask.limits.minPerHour),
    maxPerHour: String(ask.limits.maxPerHour),
    maxChangePerHour: String(ask.limits.maxChangePerHour),
  });
  return requestJson(`${reactorPath(reactorId)}/design?${search}`, { signal });
}

export function fetchAcceptedPrograms(
  reactorId: string,
  signal?: AbortSignal,
): Promise<AcceptedProgramView[]> {
  return requestJson(`${reactorPath(reactorId)}/dilution-programs`, { signal });
}

/** Recorded with the operator's name, then run by the simulated plant or published for the real one. */
export function acceptProgram(
  reactorId: string,
  request: AcceptProgramRequest,
): Promise<AcceptedProgramView> {
  return requestJson(`${reactorPath(reactorId)}/dilution-programs`, jsonBody('POST', request));
}

export function fetchAssayEntries(reactorId: string, signal?: AbortSignal): Promise<AssayEntryView[]> {
  return requestJson(`${reactorPath(reactorId)}/assays`, { signal });
}

/** 400 names the field and the reason (the same rules as an assay over MQTT). */
export function enterAssay(reactorId: string, request: AssayEntryRequest): Promise<AssayEntryView> {
  return requestJson(`${reactorPath(reactorId)}/assays`, jsonBody('POST', request));
}
