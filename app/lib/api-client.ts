/**
 * The service's HTTP API, typed by contract/api.ts and contract/auth.ts. Same origin: the service
 * serves this app, the API and socket.io on one port. Here too: the session (who is logged in), the
 * CSRF token on every change, and the way to the login page when a session has ended.
 */
import type {
  ApiError,
  DemoActionResult,
  DemoFaultKind,
  DemoStatus,
  FitRecord,
  Health,
  ModelMismatchView,
  PlantSignal,
  ReactorModelView,
  ReactorSummary,
  ReadingSeries,
} from '../../contract/api';
import { csrfHeaderName, type SessionView } from '../../contract/auth';

/** Methods that change state: each carries the session's CSRF token. */
const changingMethods = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

export class ApiRequestError extends Error {
  constructor(
    readonly status: number,
    readonly reason: string,
    readonly detail: string | undefined,
    /** From a 429's Retry-After. */
    readonly retryAfterSeconds: number | null = null,
  ) {
    super(`${status} ${reason}${detail ? `: ${detail}` : ''}`);
  }
}

/** An error in words for the page: a 403 says it was refused and why. */
export function describeError(error: unknown): string {
  if (!(error instanceof ApiRequestError)) return String((error as Error)?.message ?? error);
  const words = `${error.reason}${error.detail ? ` (${error.detail})` : ''}`;
  if (error.status === 403) return `Not allowed: ${words}`;
  if (error.status === 400) return `the service refused it: ${error.detail ?? error.reason}`;
  return words;
}

// ─── The session: who is logged in, and the CSRF token every change carries ─────────────────────

export type SessionState =
  | { kind: 'loading' }
  /** No session (expired, logged out elsewhere): the page is on its way to the login page. */
  | { kind: 'anonymous' }
  | { kind: 'error'; message: string }
  | { kind: 'signed-in'; view: SessionView };

let sessionState: SessionState = { kind: 'loading' };
let sessionRequest: Promise<SessionState> | null = null;
const sessionListeners = new Set<() => void>();

function setSessionState(next: SessionState): SessionState {
  sessionState = next;
  for (const listener of sessionListeners) listener();
  return next;
}

export function sessionSnapshot(): SessionState {
  return sessionState;
}

export function subscribeSession(listener: () => void): () => void {
  sessionListeners.add(listener);
  return () => sessionListeners.delete(listener);
}

/** The login page's address that comes back to where the browser is now. */
export function loginUrlReturningHere(): string {
  const here = `${window.location.pathname}${window.location.search}`;
  return here === '/' ? '/login' : `/login?next=${encodeURIComponent(here)}`;
}

/** The session ended (a 401): go to the login page, which returns here afterwards. */
function sessionEnded(): void {
  if (typeof window === 'undefined') return;
  setSessionState({ kind: 'anonymous' });
  if (window.location.pathname === '/login') return;
  window.location.assign(loginUrlReturningHere());
}

/** GET /api/auth/session, once (again with `refresh`); a 401 sends the browser to the login page. */
export function loadSession(refresh = false): Promise<SessionState> {
  if (sessionRequest && !refresh) return sessionRequest;
  sessionRequest = (async (): Promise<SessionState> => {
    try {
      const response = await fetch('/api/auth/session', { cache: 'no-store' });
      if (response.status === 401) {
        sessionEnded();
        return sessionState;
      }
      if (!response.ok) return setSessionState({ kind: 'error', message: `${response.status}` });
      return setSessionState({ kind: 'signed-in', view: (await response.json()) as SessionView });
    } catch (error) {
      return setSessionState({ kind: 'error', message: (error as Error).message });
    }
  })();
  return sessionRequest;
}

/** After a login or a password change: the answer is the new session. */
export function adoptSession(view: SessionView): void {
  sessionRequest = Promise.resolve(setSessionState({ kind: 'signed-in', view }));
}

async function currentCsrfToken(): Promise<string> {
  const state = sessionState.kind === 'signed-in' ? sessionState : await loadSession();
  return state.kind === 'signed-in' ? state.view.csrfToken : '';
}

interface RequestOptions {
  /** A 401 is this call's own answer (a wrong password), not a sign that the session ended. */
  answers401?: boolean;
  /** Send no CSRF token (the login itself: there is no session yet). */
  noCsrf?: boolean;
}

async function errorOf(response: Response, options: RequestOptions): Promise<ApiRequestError> {
  let body: Partial<ApiError> = {};
  try {
    body = (await response.json()) as ApiError;
  } catch {
    // Not JSON: the status says enough.
  }
  if (response.status === 401 && !options.answers401) sessionEnded();
  if (response.status === 403 && body.error === 'password change required') void loadSession(true);
  const retryAfter = Number(response.headers.get('retry-after'));
  return new ApiRequestError(
    response.status,
    body.error ?? response.statusText,
    body.detail,
    Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : null,
  );
}

/**
 * Every request of the app goes through here: same origin, never cached, and a change
 * (POST/PUT/PATCH/DELETE) carries the session's CSRF token in `x-csrf-token`. A token that has gone
 * stale (a new login in another tab) is refreshed and the change tried once more.
 */
async function send(path: string, init: RequestInit, options: RequestOptions): Promise<Response> {
  const method = (init.method ?? 'GET').toUpperCase();
  const changes = changingMethods.has(method) && !options.noCsrf;
  const attempt = async () => {
    const headers = new Headers(init.headers);
    if (changes) {
      const token = await currentCsrfToken();
      if (token) headers.set(csrfHeaderName, token);
    }
    return fetch(path, { cache: 'no-store', ...init, headers });
  };
  let response = await attempt();
  if (changes && response.status === 403) {
    const body = (await response
      .clone()
      .json()
      .catch(() => ({}))) as Partial<ApiError>;
    if (body.error === 'CSRF token missing or wrong') {
      await loadSession(true);
      response = await attempt();
    }
  }
  if (!response.ok) throw await errorOf(response, options);
  return response;
}

export async function requestJson<T>(
  path: string,
  init: RequestInit = {},
  options: RequestOptions = {},
): Promise<T> {
  return (await (await send(path, init, options)).json()) as T;
}

/** A request whose answer has no body (204). */
export async function requestVoid(
  path: string,
  init: RequestInit = {},
  options: RequestOptions = {},
): Promise<void> {
  await send(path, init, options);
}

/** A JSON body for POST/PUT/PATCH. */
export function jsonBody(method: 'POST' | 'PUT' | 'PATCH', body: unknown): RequestInit {
  return { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) };
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

export function fetchMismatch(reactorId: string, signal?: AbortSignal): Promise<ModelMismatchView> {
  return requestJson(`${reactorPath(reactorId)}/mismatch`, { signal });
}

/** The model the reactor runs: name, version, file and equations. */
export function fetchReactorModel(reactorId: string, signal?: AbortSignal): Promise<ReactorModelView> {
  return requestJson(`${reactorPath(reactorId)}/model`, { signal });
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
  | { action: 'yield-shift' }
  | { action: 'dilution'; perHour: number }
  | { action: 'fault'; kind: DemoFaultKind; durationHours: number };

export function postDemoAction(reactorId: string, demo: DemoAction): Promise<DemoActionResult> {
  const { action, ...body } = demo;
  return requestJson(`/api/demo/${encodeURIComponent(reactorId)}/${action}`, jsonBody('POST', body));
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
