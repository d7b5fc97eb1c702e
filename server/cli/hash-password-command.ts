/**
 * `culturewatch hash-password [--device NAME --reactors r1,r2|*]`: reads a password from stdin (typed
 * without echo on a terminal, or piped) and prints its scrypt hash — or, with --device, a ready
 * `MQTT_DEVICES` entry. The password itself is never printed.
 */
import { hashPassword } from '../auth/password-hash';
import { parseMqttDevices } from '../broker/mqtt-devices';
import { parseArguments, rejectUnknownOptions, stringOption } from './arguments';
import { UsageError } from './usage-error';

const minimumLength = 8;

async function readPipedPassword(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks)
    .toString('utf8')
    .replace(/\r?\n$/, '');
}

/** One line from the terminal without echo; Ctrl-C or Ctrl-D ends it empty. */
function readHiddenLine(prompt: string): Promise<string> {
  const stdin = process.stdin;
  process.stderr.write(prompt);
  stdin.setRawMode(true);
  stdin.resume();
  return new Promise((resolve) => {
    let text = '';
    const done = (value: string) => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write('\n');
      resolve(value);
    };
    const onData = (chunk: Buffer) => {
      for (const char of chunk.toString('utf8')) {
        if (char === '\r' || char === '\n') return done(text);
        if (char === '\u0003' || char === '\u0004') return done('');
        if (char === '\u007f' || char === '\b') text = text.slice(0, -1);
        else if (char >= ' ') text += char;
      }
    };
    stdin.on('data', onData);
  });
}

export async function hashPasswordCommand(argv: string[]): Promise<undefined> {
  const args = parseArguments(argv);
  rejectUnknownOptions(args, ['device', 'reactors']);
  if (args.positional.length > 0)
    throw new UsageError('the password is read from stdin, not from the command line');
  const device = stringOption(args, 'device');
  const reactors = stringOption(args, 'reactors');
  if ((device === undefined) !== (reactors === undefined))
    throw new UsageError('--device and --reactors go together');

  let password: string;
  if (process.stdin.isTTY) {
    password = await readHiddenLine('password: ');
    if (password !== (await readHiddenLine('again: '))) throw new UsageError('the passwords differ');
  } else password = await readPipedPassword();
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
