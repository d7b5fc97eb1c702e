import { compileModel } from '../assimilation';
import { ModelFileReadError, readModelFile } from './model-files';
import { generatePlantHistory } from './plant-history';
import { writePlantHistoryFiles } from './plant-history-files';
import { isScenarioName, type ScenarioSettings, scenarioNames } from './scenarios';

export const simulatePlantUsage =
  'culturewatch simulate-plant --scenario NAME --days N --seed S --out history.csv [--truth truth.json] ' +
  '[--assays] [--onset-day N] [--od-sigma X] [--substrate-sigma X] [--model FILE]';

/**
 * A refused command line: one message, exit code 2. Its name and exitCode match the CLI's UsageError
 * (the simulator may not import server/), so the dispatcher can treat both alike.
 */
export class SimulatePlantUsageError extends Error {
  readonly exitCode = 2;
  constructor(message: string) {
    super(`simulate-plant: ${message}\nusage: ${simulatePlantUsage}`);
    this.name = 'UsageError';
  }
}

const valueOptions = [
  'scenario',
  'days',
  'seed',
  'out',
  'truth',
  'onset-day',
  'od-sigma',
  'substrate-sigma',
  'model',
];
const flagOptions = ['assays'];

/** `culturewatch simulate-plant ...`: writes a history CSV (and a truth JSON); returns the exit code. */
export function runSimulatePlantCommand(argv: string[], log: (line: string) => void = console.log): number {
  const options = parseOptions(argv);
  const scenario = options.get('scenario') ?? 'steady';
  if (!isScenarioName(scenario)) {
    throw new SimulatePlantUsageError(`unknown scenario "${scenario}" (known: ${scenarioNames.join(', ')})`);
  }
  const days = numberOption(options, 'days', 14, (v) => v > 0 && v <= 3650, 'a number of days > 0');
  const seed = numberOption(
    options,
    'seed',
    1,
    (v) => Number.isInteger(v) && v >= 0 && v < 2 ** 32,
    'an integer ≥ 0',
  );
  const out = options.get('out');
  if (!out) throw new SimulatePlantUsageError('--out FILE is required');
  const truthPath = options.get('truth');
  const odSigma = numberOption(options, 'od-sigma', 0.5, (v) => v >= 0, 'a σ ≥ 0');
  const substrateSigma = numberOption(options, 'substrate-sigma', 0.2, (v) => v >= 0, 'a σ ≥ 0');
  const scenarioSettings = onsetSettings(options, scenario, days);
  // The plant's truth may be another model file (e.g. one with a mechanism the estimator's model lacks).
  const modelPath = options.get('model');
  const model = modelPath ? plantModelFile(modelPath) : undefined;

  const started = performance.now();
  const history = generatePlantHistory({
    scenario,
    days,
    seed,
    assays: options.has('assays'),
    noise: { odSigma, substrateSigma },
    scenarioSettings,
    ...(model ? { model } : {}),
  });
  writePlantHistoryFiles(history, { csvPath: out, truthPath });
  const ms = Math.round(performance.now() - started);
  log(
    `simulate-plant: ${scenario}, ${days} days, seed ${seed}: ${history.samples.length} rows to ${out}` +
      (truthPath ? `, truth to ${truthPath}` : '') +
      ` (${ms} ms)`,
  );
  return 0;
}

function plantModelFile(path: string) {
  try {
    return compileModel(readModelFile(path));
  } catch (e) {
    if (e instanceof ModelFileReadError) throw new SimulatePlantUsageError(`--model: ${e.message}`);
    throw e;
  }
}

function onsetSettings(
  options: Map<string, string>,
  scenario: string,
  days: number,
): Partial<ScenarioSettings> {
  const fallback = scenario === 'parameter-drift' ? 2 : 7;
  const onsetDay = numberOption(options, 'onset-day', fallback, (v) => v >= 0, 'a day ≥ 0');
  if (scenario === 'satellite-shift') {
    if (onsetDay >= days) {
      throw new SimulatePlantUsageError(
        `the shift's onset (day ${onsetDay}) is not inside a ${days}-day history; pass --onset-day`,
      );
    }
    return { shiftOnsetH: onsetDay * 24 };
  }
  if (scenario === 'parameter-drift') {
    if (onsetDay >= days) {
      throw new SimulatePlantUsageError(
        `the drift's start (day ${onsetDay}) is not inside a ${days}-day history; pass --onset-day`,
      );
    }
    return { driftStartH: onsetDay * 24 };
  }
  if (options.has('onset-day'))
    throw new SimulatePlantUsageError(`--onset-day has no meaning for scenario ${scenario}`);
  return {};
}

/** `--name value`, `--name=value` and the `--assays` flag; anything else is refused. */
function parseOptions(argv: string[]): Map<string, string> {
  const options = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('--')) throw new SimulatePlantUsageError(`unexpected argument "${arg}"`);
    const eq = arg.indexOf('=');
    const name = eq < 0 ? arg.slice(2) : arg.slice(2, eq);
    if (flagOptions.includes(name)) {
      if (eq >= 0) throw new SimulatePlantUsageError(`--${name} takes no value`);
      options.set(name, '');
      continue;
    }
    if (!valueOptions.includes(name)) throw new SimulatePlantUsageError(`unknown option --${name}`);
    const value = eq < 0 ? argv[++i] : arg.slice(eq + 1);
    if (value === undefined || value === '' || (eq < 0 && value.startsWith('--'))) {
      throw new SimulatePlantUsageError(`--${name} needs a value`);
    }
    options.set(name, value);
  }
  return options;
}

function numberOption(
  options: Map<string, string>,
  name: string,
  fallback: number,
  valid: (v: number) => boolean,
  what: string,
): number {
  const raw = options.get(name);
  if (raw === undefined) return fallback;
  const value = raw.trim() === '' ? Number.NaN : Number(raw);
  if (!Number.isFinite(value) || !valid(value)) {
    throw new SimulatePlantUsageError(`--${name} must be ${what}, got ${JSON.stringify(raw)}`);
  }
  return value;
}
