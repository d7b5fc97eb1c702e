/**
 * Accounts made straight in the service's database before it starts, and HTTP clients that log in
 * as a browser does (cookie + CSRF token) or call as a script does (bearer token).
 */
import { io } from 'socket.io-client';
import type { CreatedApiToken, Role, SessionView } from '../../contract/auth';
import { csrfHeaderName } from '../../contract/auth';
import { realtimePath } from '../../contract/realtime';
import { prepareAuthStatements } from '../../db/auth-statements';
import { openDatabase } from '../../db/open-database';
import { Accounts } from '../../server/auth/accounts';

export const passwords = {
  alice: 'alice-operator-password-1',
  victor: 'victor-viewer-password-1',
} as const;

/** alice (operator) and victor (viewer), with passwords that need no change. */
export async function seedAccounts(databasePath: string): Promise<void> {
  const database = openDatabase(databasePath);
  try {
    const accounts = new Accounts(prepareAuthStatements(database.sqlite));
    await accounts.create('alice', 'operator', passwords.alice);
    await accounts.create('victor', 'viewer', passwords.victor);
  } finally {
    database.close();
  }
}

export interface Answer {
  status: number;
  text: string;
  headers: Headers;
  json<T = unknown>(): T;
}

/** A client that keeps its session cookie and CSRF token, like a browser tab of the dashboard. */
export class HttpClient {
  cookie: string | undefined;
  csrfToken = '';
  bearer: string | undefined;
  sendCsrf = true;

  constructor(readonly baseUrl: string) {}

  static async loggedIn(baseUrl: string, username: string, password: string): Promise<HttpClient> {
    const client = new HttpClient(baseUrl);
    const answer = await client.login(username, password);
    if (answer.status !== 200) throw new Error(`login ${username}: ${answer.status} ${answer.text}`);
    return client;
  }

  static withToken(baseUrl: string, token: string): HttpClient {
    const client = new HttpClient(baseUrl);
    client.bearer = token;
    return client;
  }

  async login(username: string, password: string): Promise<Answer> {
    const answer = await this.call('POST', '/api/auth/login', { username, password });
    const setCookie = answer.headers.get('set-cookie');
    if (answer.status === 200 && setCookie) {
      this.cookie = setCookie.split(';')[0];
      this.csrfToken = answer.json<SessionView>().csrfToken;
    }
    return answer;
  }

  async call(method: string, path: string, body?: unknown): Promise<Answer> {
    const headers: Record<string, string> = {};
    if (body !== undefined) headers['content-type'] = 'application/json';
    if (this.cookie) headers.cookie = this.cookie;
    if (this.bearer) headers.authorization = `Bearer ${this.bearer}`;
    if (this.sendCsrf && this.csrfToken && method !== 'GET') headers[csrfHeaderName] = this.csrfToken;
    const response = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers,
      redirect: 'manual',
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await response.text();
    return {
      status: response.status,
      text,
      headers: response.headers,
      json: <T>() => JSON.parse(text) as T,
    };
  }

  async createToken(name: string, role: Role): Promise<CreatedApiToken> {
    const answer = await this.call('POST', '/api/tokens', { name, role });
    if (answer.status !== 201) throw new Error(`token: ${answer.status} ${answer.text}`);
    return answer.json<CreatedApiToken>();
  }
}

/** Opens a socket.io connection and closes it: `connected`, or the server's refusal message. */
export function tryConnectSocket(
  url: string,
  options: { headers?: Record<string, string>; token?: string; ca?: string } = {},
): Promise<string> {
  return new Promise((resolve) => {
    const socket = io(url, {
      path: realtimePath,
      transports: ['websocket'],
      reconnection: false,
      ...(options.headers && { extraHeaders: options.headers }),
      ...(options.token && { auth: { token: options.token } }),
      ...(options.ca && { ca: options.ca }),
    });
    socket.once('connect', () => {
      socket.close();
      resolve('connected');
    });
    socket.once('connect_error', (error) => {
      socket.close();
      resolve(error.message);
    });
  });
}
