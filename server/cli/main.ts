import { gradientCommand } from './gradient-command';
import { simulateCommand } from './simulate-command';
import { UsageError } from './usage-error';

type Command = (argv: string[]) => unknown | Promise<unknown>;

const commands: Record<string, { run: Command; summary: string }> = {
  gradient: { run: gradientCommand, summary: 'WINDOW.json [--rtol R] [--atol A] [--method auto|dopri5|rodas4] [--repeat N]' },
  simulate: { run: simulateCommand, summary: 'WINDOW.json [--rtol R] [--atol A] [--method M]' },
};

function usage(): string {
  return ['usage: culturewatch <command> ...', ...Object.entries(commands).map(([n, c]) => `  culturewatch ${n} ${c.summary}`)].join('\n');
}

/** Runs one command; prints its JSON result on stdout, or one error line on stderr. Returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  const command = name === undefined ? undefined : commands[name];
  if (!command) {
    process.stderr.write(`${name === undefined || name === '--help' ? '' : `unknown command "${name}"\n`}${usage()}\n`);
    return name === '--help' ? 0 : 2;
  }
  try {
    const result = await command.run(rest);
    if (result !== undefined) process.stdout.write(`${JSON.stringify(result, null, 1)}\n`);
    return 0;
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`culturewatch ${name}: ${e.message}\n`);
      return e.exitCode;
    }
    throw e;
  }
}
