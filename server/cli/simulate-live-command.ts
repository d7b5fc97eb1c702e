import { isReactorId } from '../../contract/api';
import { endlessPlantSamples } from '../../simulator/endless-plant-samples';
import { LivePublisher } from '../../simulator/live-publisher';
import { PlantSimulation } from '../../simulator/plant-simulation';
import { applyScenario, isScenarioName, scenarioNames } from '../../simulator/scenarios';
import { numberOption, parseArguments, rejectUnknownOptions, stringOption } from './arguments';
import { UsageError } from './usage-error';

/**
 * `culturewatch simulate-live --mqtt URL [--reactors r1,r2] [--scenario NAME] [--seed S]
 * [--speed PLANT_HOURS_PER_SECOND] [--backfill-days N] [--username U --password P]`:
 * simulated reactors publishing to any broker until interrupted.
 */
export async function simulateLiveCommand(argv: string[]): Promise<undefined> {
  const args = parseArguments(argv);
  rejectUnknownOptions(args, [
    'mqtt',
    'reactors',
    'scenario',
    'seed',
    'speed',
    'backfill-days',
    'username',
    'password',
    'prefix',
  ]);
  const url = stringOption(args, 'mqtt');
  if (!url || !/^mqtts?:\/\/\S+$/.test(url))
    throw new UsageError('--mqtt: expected mqtt://host[:port] or mqtts://host[:port]');
  const reactorIds = (stringOption(args, 'reactors') ?? 'r1').split(',');
  for (const id of reactorIds) {
    if (!isReactorId(id)) throw new UsageError(`--reactors: invalid reactor id ${JSON.stringify(id)}`);
  }
  const scenario = stringOption(args, 'scenario') ?? 'steady';
  if (!isScenarioName(scenario))
    throw new UsageError(`--scenario: expected one of ${scenarioNames.join(', ')}`);
  const seed = numberOption(args, 'seed', 1, Number.isInteger);
  const speed = numberOption(args, 'speed', 1, (v) => v > 0);
  const backfillDays = numberOption(args, 'backfill-days', 3, (v) => v >= 0);

  const reactors = reactorIds.map((reactorId, i) => {
    const sim = new PlantSimulation({ seed: seed + i, assays: true });
    applyScenario(sim, scenario, Number.POSITIVE_INFINITY, seed + i);
    return { reactorId, samples: endlessPlantSamples(sim) };
  });
  const username = stringOption(args, 'username');
  const password = stringOption(args, 'password');
  const publisher = new LivePublisher({
    url,
    reactors,
    plantHoursPerSecond: speed,
    backfillPlantDays: backfillDays,
    topicPrefix: stringOption(args, 'prefix') ?? 'culturewatch',
    clientOptions: username ? { username, password } : undefined,
  });
  await publisher.start();
  process.stderr.write(
    `simulate-live: ${reactorIds.join(', ')} (${scenario}) → ${url} at ${speed} plant h/s; Ctrl-C stops\n`,
  );
  await new Promise<void>((resolve) => {
    process.once('SIGINT', resolve);
    process.once('SIGTERM', resolve);
  });
  await publisher.stop();
  return undefined;
}
