/**
 * The devices API (contract/devices.ts): where devices connect, and the embedded broker's device
 * accounts. The gate (server/auth/auth-gate.ts) has checked the role and CSRF already: the list and
 * its changes are the operators'; the broker's address is anyone's who is logged in.
 */
import { z } from 'zod';
import type { BrokerView } from '../../contract/devices';
import { actorOf } from '../auth/principal';
import { HttpError } from '../http/http-error';
import { readJsonBody } from '../http/request-body';
import { parseOr400 } from '../http/request-input';
import { sendJson } from '../http/responses';
import type { Route } from '../http/router';
import type { DeviceAccounts } from './device-accounts';

const createBody = z.strictObject({
  username: z.string().max(200),
  reactors: z.array(z.string().max(200)).max(1000),
});

export function devicesApiRoutes(devices: DeviceAccounts, broker: BrokerView): Route[] {
  return [
    {
      method: 'GET',
      path: '/api/broker',
      handle: async ({ req, res }) => {
        await sendJson(req, res, 200, broker);
      },
    },
    {
      method: 'GET',
      path: '/api/devices',
      handle: async ({ req, res }) => {
        await sendJson(req, res, 200, devices.list());
      },
    },
    {
      method: 'POST',
      path: '/api/devices',
      handle: async ({ req, res }) => {
        let body: z.infer<typeof createBody>;
        try {
          body = parseOr400(createBody, await readJsonBody(req), 'body');
        } catch (error) {
          if (!(error instanceof HttpError) || error.status !== 400) throw error;
          devices.refuse(
            400,
            'malformed',
            error.error,
            `${error.detail ?? ''} (expected {"username": "…", "reactors": ["r1", …] or ["*"]})`,
            '',
          );
        }
        const created = await devices.create(
          body.username,
          body.reactors,
          actorOf(req, undefined, 'anonymous'),
        );
        await sendJson(req, res, 201, created);
      },
    },
    {
      method: 'DELETE',
      path: '/api/devices/:username',
      handle: async ({ req, res, params }) => {
        devices.revoke(params.username, actorOf(req, undefined, 'anonymous'));
        res.writeHead(204).end();
      },
    },
  ];
}
