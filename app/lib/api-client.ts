/**
 * The service's HTTP API, typed by contract/api.ts. Same origin: the service serves this app, the API
 * and socket.io on one port.
 */
import type {
  ApiError,
  DemoActionResult,
  DemoFaultKind,
  DemoStatus,
  FitRecord,
  Health,
  PlantSignal,
  ReactorSummary,
  ReadingSeries,
} from '../../contract/api';

export class ApiRequestError extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
    readonly detail: string | undefined,
  ) {
    super(`${status} ${reason}${detail ? `: ${detail}` : ''}`);
  }
}

async function requestJson<T>(path: string, init?: RequestInit): Promise<T> {
  const response = await fetch(path, { cache: 'no-store', ...init });
  if (!response.ok) {
    let body: Partial<ApiError> = {};
    try {
      body = (await response.json()) as ApiError;
    } catch {
      // Not JSON: the status says enough.
    }
    throw new ApiRequestError(response.status, body.error ?? response.statusText, body.detail);
  }
  return (await response.json()) as T;
}

/** A time for a query string: the API takes ISO-8601. */
function queryTime(ms: number): string {
  return new Date(ms).toISOString();
}

function query(params: Record<string, string | number | undefined>): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(params)) if (value !== undefined) search.set(key, String(value));
  const text = search.toString();
  return text ? `?${text}` : '';
}

export interface TimeRangeMs {
  fromMs?: number;
  toMs?: number;
}

const reactorPath = (reactorId: string) => `/api/reactors/${encodeURIComponent(reactorId)}`;

export function fetchReactors(signal?: AbortSignal): Promise<ReactorSummary[]> {
  return requestJson('/api/reactors', { signal });
}

let early: { atMs: number; list: Promise<ReactorSummary[]> } | null = null;

/**
 * Starts fetching the summaries as soon as a page's script runs, before React has hydrated and laid
 * out the charts; `fetchReactorsSoon` takes that answer if it is fresh.
 */
export function prefetchReactors(): void {
  if (typeof window === 'undefined') return;
  const list = fetchReactors();
  list.catch(() => undefined);
  early = { atMs: Date.now(), list };
}

export function fetchReactorsSoon(maxAgeMs = 3000): Promise<ReactorSummary[]> {
  const taken = early;
  early = null;
  if (taken && Date.now() - taken.atMs < maxAgeMs) return taken.list;
  return fetchReactors();
}

export function fetchReadings(
  reactorId: string,
  plantSignal: PlantSignal,
  range: TimeRangeMs & { maxPoints?: number },
  signal?: AbortSignal,
): Promise<ReadingSeries> {
  const q = query({
    signal: plantSignal,
    from: range.fromMs === undefined ? undefined : queryTime(range.fromMs),
    to: range.toMs === undefined ? undefined : queryTime(range.toMs),
    maxPoints: range.maxPoints,
  });
  return requestJson(`${reactorPath(reactorId)}/readings${q}`, { signal });
}

/**
 * `trajectories`: which fits carry their trajectory, forecast and residuals — `all`, or only the
 * `latest` (months of fits stay small), or `none`.
 */
export function fetchEstimates(
  reactorId: string,
  range: TimeRangeMs & { trajectories?: 'all' | 'latest' | 'none' },
  signal?: AbortSignal,
): Promise<FitRecord[]> {
  const q = query({
    from: range.fromMs === undefined ? undefined : queryTime(range.fromMs),
    to: range.toMs === undefined ? undefined : queryTime(range.toMs),
    trajectories: range.trajectories,
  });
  return requestJson(`${reactorPath(reactorId)}/estimates${q}`, { signal });
}

export function fetchHealth(signal?: AbortSignal): Promise<Health> {
  return requestJson('/healthz', { signal });
}

/** The simulator's demo status, or null when the service runs without the simulator (404). */
export async function fetchDemoStatus(signal?: AbortSignal): Promise<DemoStatus | null> {
  try {
    const status = await requestJson<DemoStatus>('/api/demo', { signal });
    return status.simulator ? status : null;
  } catch (error) {
    if (error instanceof ApiRequestError && error.status === 404) return null;
    throw error;
  }
}

export type DemoAction =
  | { action: 'satellite-shift' }
  | { action: 'dilution'; perHour: number }
  | { action: 'fault'; kind: DemoFaultKind; durationHours: number };

export function postDemoAction(reactorId: string, demo: DemoAction): Promise<DemoActionResult> {
  const { action, ...body } = demo;
  return requestJson(`/api/demo/${encodeURIComponent(reactorId)}/${action}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

export function exportCsvUrl(reactorId: string, range: TimeRangeMs): string {
  const q = query({
    from: range.fromMs === undefined ? undefined : queryTime(range.fromMs),
    to: range.toMs === undefined ? undefined : queryTime(range.toMs),
  });
  return `${reactorPath(reactorId)}/export.csv${q}`;
}

export function windowFileUrl(reactorId: string, fitId: number): string {
  return `${reactorPath(reactorId)}/fits/${fitId}/window`;
}
