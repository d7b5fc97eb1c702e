/**
 * `MQTT_DEVICES`: the accounts of the embedded broker's devices, a JSON array of
 * `{"username", "passwordHash", "reactors"}` (`culturewatch hash-password` makes the hash). A device
 * may publish only under the reactors it is granted, `"*"` meaning every reactor.
 */
import { z } from 'zod';
import { isReactorId, reactorIdRule } from '../../contract/api';
import { deviceUsernamePattern, deviceUsernameRule } from '../../contract/devices';

export interface MqttDevice {
  username: string;
  /** `scrypt$N$r$p$salt$hash` (server/auth/password-hash.ts). */
  passwordHash: string;
  /** Reactor ids, or `all` for a gateway that speaks for every reactor. */
  reactors: readonly string[] | 'all';
}

/** The service's own account on the embedded broker when `MQTT_USERNAME` is not set. */
export const defaultServiceUsername = 'culturewatch-service';
/** The demo simulator's account on the embedded broker (granted only its simulated reactors). */
export const simulatorUsername = 'culturewatch-simulator';

/** Why `hash` is not a scrypt hash that `verifyPassword` would accept, or undefined when it is. */
export function passwordHashProblem(hash: string): string | undefined {
  const parts = hash.split('$');
  if (parts.length !== 6 || parts[0] !== 'scrypt')
    return 'expected scrypt$N$r$p$salt$hash (make one with `culturewatch hash-password`)';
  const [N, r, p] = parts.slice(1, 4).map((v) => (/^\d+$/.test(v) ? Number(v) : Number.NaN));
  if (!(N >= 2 && N <= 2 ** 20 && (N & (N - 1)) === 0)) return 'N must be a power of two up to 2^20';
  if (!(r >= 1 && r <= 32 && p >= 1 && p <= 16)) return 'r or p out of range';
  const base64 = /^[A-Za-z0-9+/]+={0,2}$/;
  if (!base64.test(parts[4]) || Buffer.from(parts[4], 'base64').length < 8) return 'bad salt';
  if (!base64.test(parts[5]) || Buffer.from(parts[5], 'base64').length !== 32)
    return 'the hash must be 32 bytes of base64';
  return undefined;
}

const deviceSchema = z
  .object({
    username: z.string().regex(deviceUsernamePattern, `must be ${deviceUsernameRule}`),
    passwordHash: z.string().superRefine((hash, context) => {
      const problem = passwordHashProblem(hash);
      if (problem) context.addIssue({ code: 'custom', message: problem });
    }),
    reactors: z
      .array(
        z.string().refine((id) => id === '*' || isReactorId(id), `a reactor id (${reactorIdRule}) or "*"`),
      )
      .min(1, 'grant at least one reactor (or "*")'),
  })
  .strict();

/**
 * Parses `MQTT_DEVICES`. Throws an Error naming the device and field: unknown fields, a bad hash, a
 * username given twice or taken by the service or the simulator, a reactor listed twice.
 */
export function parseMqttDevices(json: string, reservedUsernames: readonly string[]): MqttDevice[] {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    throw new Error('MQTT_DEVICES: not JSON (expected [{"username", "passwordHash", "reactors"}, …])');
  }
  if (!Array.isArray(raw))
    throw new Error('MQTT_DEVICES: expected a JSON array of {"username", "passwordHash", "reactors"}');
  const devices: MqttDevice[] = [];
  const seen = new Set<string>();
  raw.forEach((entry, index) => {
    const parsed = deviceSchema.safeParse(entry);
    const name =
      typeof entry === 'object' &&
      entry !== null &&
      typeof (entry as { username?: unknown }).username === 'string'
        ? `MQTT_DEVICES[${index}] (${(entry as { username: string }).username})`
        : `MQTT_DEVICES[${index}]`;
    if (!parsed.success) {
      const problems = parsed.error.issues.map((i) =>
        i.code === 'unrecognized_keys'
          ? `unknown field ${i.keys.map((k) => `"${k}"`).join(', ')}`
          : `${i.path.join('.') || 'entry'}: ${i.message}`,
      );
      throw new Error(`${name}: ${problems.join('; ')}`);
    }
    const { username, passwordHash, reactors } = parsed.data;
    if (seen.has(username)) throw new Error(`${name}: username "${username}" is listed twice`);
    if (reservedUsernames.includes(username))
      throw new Error(`${name}: username "${username}" belongs to the service`);
    seen.add(username);
    if (new Set(reactors).size !== reactors.length)
      throw new Error(`${name}: reactors: a reactor is listed twice`);
    if (reactors.includes('*') && reactors.length > 1)
      throw new Error(`${name}: reactors: "*" grants every reactor and stands alone`);
    devices.push({ username, passwordHash, reactors: reactors[0] === '*' ? 'all' : reactors });
  });
  return devices;
}
