import { runSimulatePlantCommand } from '../../simulator/simulate-plant-command';
import { isHelp } from './arguments';
import { designCommand } from './design-command';
import { fitCommand } from './fit-command';
import { gradientCommand } from './gradient-command';
import { hashPasswordCommand } from './hash-password-command';
import { modelCommand } from './model-command';
import { neuralCommand } from './neural-command';
import { refineCommand } from './refine-command';
import { replayCommand } from './replay-command';
import { simulateCommand } from './simulate-command';
import { simulateLiveCommand } from './simulate-live-command';
import { UsageError } from './usage-error';
import { usersCommand } from './users-command';

type Command = (argv: string[]) => unknown | Promise<unknown>;

const commands: Record<string, { run: Command; summary: string }> = {
  gradient: {
    run: gradientCommand,
    summary: 'WINDOW.json [--model FILE] [--rtol R] [--atol A] [--method auto|dopri5|rodas4] [--repeat N]',
  },
  simulate: {
    run: simulateCommand,
    summary: 'WINDOW.json [--model FILE] [--rtol R] [--atol A] [--method M]',
  },
  fit: {
    run: fitCommand,
    summary:
      'WINDOW.json [--model FILE] [--loss quadratic|huber[:d]|student-t[:nu]] [--max-iterations N] [--rtol R]',
  },
  replay: {
    run: replayCommand,
    summary:
      'HISTORY.csv [--model FILE] [--window 12h] [--step 1h] [--init PARAMS.json] [--loss huber:3] [--out FILE.jsonl]',
  },
  design: {
    run: designCommand,
    summary:
      'HISTORY.csv --d-range 0.18:0.32 [--horizon 72h] [--targets satellite_fraction,gB/vB] [--d-rate 0.05] [--duration 72h] [--assay-delay 6h] [--top 10]',
  },
  model: {
    run: modelCommand,
    summary:
      'community --satellites N|Y1,Y2 --metabolites M|A,B [--name NAME] [--out FILE] | show FILE  (model files)',
  },
  refine: {
    run: refineCommand,
    summary:
      'HISTORY.csv --model COMMUNITY.yaml [--hours 96h] [--segment 24h] [--alpha 0.01] [--out REFINED.yaml]',
  },
  neural: {
    run: neuralCommand,
    summary:
      'train HISTORY.csv --model FILE [--out WEIGHTS.json] [--from H] [--to H] [--seed S] [--iterations N] | suggest --model FILE [--out CANDIDATE.yaml]',
  },
  'simulate-live': {
    run: simulateLiveCommand,
    summary:
      '--mqtt URL [--reactors r1,r2] [--scenario NAME] [--seed S] [--speed PLANT_H_PER_S] [--backfill-days N]',
  },
  users: {
    run: usersCommand,
    summary:
      'add NAME --role viewer|operator [--password-stdin] | list | remove NAME | set-password NAME [--password-stdin] [--database PATH]',
  },
  'hash-password': {
    run: hashPasswordCommand,
    summary:
      '[--device NAME --reactors r1,r2|*]  (password on stdin; prints its hash or an MQTT_DEVICES entry)',
  },
  'simulate-plant': {
    run: (argv) => {
      runSimulatePlantCommand(argv, (line) => process.stderr.write(`${line}\n`));
      return undefined;
    },
    summary:
      '--scenario steady|satellite-shift|parameter-drift|sensor-faults --days N --seed S --out history.csv [--truth truth.json] [--assays] [--model FILE]',
  },
};

function usage(): string {
  return [
    'usage: culturewatch <command> ...  (culturewatch <command> --help for one command)',
    ...Object.entries(commands).map(([n, c]) => `  culturewatch ${n} ${c.summary}`),
  ].join('\n');
}

/** Runs one command; prints its JSON result on stdout, or one error line on stderr. Returns the exit code. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name !== undefined && isHelp(name)) {
    process.stdout.write(`${usage()}\n`);
    return 0;
  }
  const command = name === undefined ? undefined : commands[name];
  if (!command) {
    process.stderr.write(`${name === undefined ? '' : `unknown command "${name}"\n`}${usage()}\n`);
    return 2;
  }
  // `culturewatch <command> --help` is that command's usage, whatever else is on the line.
  if (rest.some(isHelp)) {
    process.stdout.write(`usage: culturewatch ${name} ${command.summary}\n`);
    return 0;
  }
  try {
    const result = await command.run(rest);
    if (result !== undefined) process.stdout.write(`${JSON.stringify(result, null, 1)}\n`);
    return 0;
  } catch (e) {
    // Commands outside server/ throw their own usage errors with exit code 2.
    if (e instanceof UsageError || (e instanceof Error && (e as { exitCode?: number }).exitCode === 2)) {
      process.stderr.write(`culturewatch ${name}: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
}
