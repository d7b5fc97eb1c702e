import { writeFileSync } from 'node:fs';
import {
  communityModel,
  communityNames,
  formatModelFile,
  fullCommunity,
  ModelFileError,
  parseModelFile,
} from '../../assimilation';
import { ModelFileReadError, readModelFile } from '../../simulator/model-files';
import { parseArguments, rejectUnknownOptions, stringOption } from './arguments';
import { UsageError } from './usage-error';

/**
 * `culturewatch model community --satellites N|Y1,Y2 --metabolites M|A,B [--name NAME] [--out FILE]`
 * writes a generalized community model: every uptake, production and inhibition link between the
 * organisms and the metabolites, each with its own parameters (models/README.md says how a link is
 * switched off). `culturewatch model show FILE` prints any model file with its equations written out.
 */
export function modelCommand(argv: string[]): undefined {
  const [action, ...rest] = argv;
  const args = parseArguments(rest);
  if (action === 'community') {
    rejectUnknownOptions(args, ['satellites', 'metabolites', 'name', 'out']);
    const satellites = namesOption(stringOption(args, 'satellites'), 'satellites', 0);
    const metabolites = namesOption(stringOption(args, 'metabolites'), 'metabolites', 1);
    const generated = communityNames(
      typeof satellites === 'number' ? satellites : 0,
      typeof metabolites === 'number' ? metabolites : 0,
    );
    const satelliteNames = typeof satellites === 'number' ? generated.satellites : satellites;
    const metaboliteNames = typeof metabolites === 'number' ? generated.metabolites : metabolites;
    const name =
      stringOption(args, 'name') ??
      `community-${satelliteNames.length}-satellites-${metaboliteNames.length}-metabolites`;
    const definition = communityModel(
      name,
      `The main organism X on substrate S with satellites ${satelliteNames.join(', ') || '(none)'} and metabolites ${metaboliteNames.join(', ')}, with every uptake, production and inhibition link.`,
      fullCommunity(satelliteNames, metaboliteNames),
    );
    const header = [
      `Written by: culturewatch model community --satellites ${args.options.get('satellites')} --metabolites ${args.options.get('metabolites')}`,
      'Every uptake, production and inhibition link between an organism and a metabolite is listed under',
      'links, with its own parameters (their values are starting points for a fit). Switch a link off',
      'with `off: true`: its term and its parameters leave the model, and the line stays as the record.',
      '`culturewatch model show FILE` prints the equations; assimilation/model/community.ts explains them.',
    ].join('\n');
    const text = formatModelFile(definition, { header });
    try {
      parseModelFile(text); // what is written reads back (names given by hand may clash)
    } catch (e) {
      if (e instanceof ModelFileError) throw new UsageError(`cannot write this community: ${e.detail}`);
      throw e;
    }
    writeTextOutput(stringOption(args, 'out'), text);
    return undefined;
  }
  if (action === 'show') {
    rejectUnknownOptions(args, []);
    const path = args.positional[0];
    if (!path) throw new UsageError('model show needs a model file');
    try {
      writeTextOutput(undefined, formatModelFile(readModelFile(path), { expand: true }));
    } catch (e) {
      if (e instanceof ModelFileReadError) throw new UsageError(e.message);
      throw e;
    }
    return undefined;
  }
  throw new UsageError(`model ${action ?? ''}: expected "community" or "show"`);
}

/** A count (at least `min`), or a comma-separated list of names. */
function namesOption(raw: string | undefined, option: string, min: number): number | string[] {
  if (raw === undefined) throw new UsageError(`--${option} is required (a count, or names such as A,B)`);
  if (/^\d+$/.test(raw)) {
    const count = Number(raw);
    if (count < min || count > 50) throw new UsageError(`--${option}: between ${min} and 50`);
    return count;
  }
  const names = raw.split(',').map((n) => n.trim());
  for (const n of names)
    if (!/^[A-Za-z][A-Za-z0-9]*$/.test(n))
      throw new UsageError(`--${option}: "${n}" is not a name (letters and digits, starting with a letter)`);
  return names;
}

function writeTextOutput(path: string | undefined, text: string): void {
  if (path === undefined) {
    process.stdout.write(text);
    return;
  }
  try {
    writeFileSync(path, text);
  } catch (e) {
    throw new UsageError(
      `${path}: cannot write (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
    );
  }
}
