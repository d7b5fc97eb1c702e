/**
 * `culturewatch hash-password [--device NAME --reactors r1,r2|*]`: reads a password from stdin (typed
 * without echo on a terminal, or piped) and prints its scrypt hash — or, with --device, a ready
 * `MQTT_DEVICES` entry. The password itself is never printed.
 */
import { hashPassword } from '../auth/password-hash';
import { parseMqttDevices } from '../broker/mqtt-devices';
import { parseArguments, rejectUnknownOptions, stringOption } from './arguments';
import { readNewPassword } from './read-password';
import { UsageError } from './usage-error';

const minimumLength = 8;

export async function hashPasswordCommand(argv: string[]): Promise<undefined> {
  const args = parseArguments(argv);
  rejectUnknownOptions(args, ['device', 'reactors']);
  if (args.positional.length > 0)
    throw new UsageError('the password is read from stdin, not from the command line');
  const device = stringOption(args, 'device');
  const reactors = stringOption(args, 'reactors');
  if ((device === undefined) !== (reactors === undefined))
    throw new UsageError('--device and --reactors go together');

  const password = await readNewPassword();
  if (password.length < minimumLength)
    throw new UsageError(`the password must have at least ${minimumLength} characters`);

  const hash = await hashPassword(password);
  if (device === undefined || reactors === undefined) {
    process.stdout.write(`${hash}\n`);
    return undefined;
  }
  const entry = { username: device, passwordHash: hash, reactors: reactors.split(',').map((r) => r.trim()) };
  try {
    parseMqttDevices(JSON.stringify([entry]), []);
  } catch (error) {
    throw new UsageError((error as Error).message.replace(/^MQTT_DEVICES\[0\][^:]*: /, ''));
  }
  process.stdout.write(`${JSON.stringify(entry)}\n`);
  return undefined;
}
