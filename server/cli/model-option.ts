import { type CompiledModel, compileModel } from '../../assimilation';
import { builtInModel, ModelFileReadError, readModelFile } from '../../simulator/model-files';
import { type ParsedArguments, stringOption } from './arguments';
import { UsageError } from './usage-error';

/** `--model FILE`: the model a command runs, models/chemostat-satellite.yaml when not given. */
export const modelOptionName = 'model';

/** The model named by --model (or the built-in one), compiled; a refused file is a UsageError naming its line. */
export function modelFromArguments(args: ParsedArguments): CompiledModel {
  const path = stringOption(args, modelOptionName);
  try {
    return compileModel(path === undefined ? builtInModel() : readModelFile(path));
  } catch (e) {
    if (e instanceof ModelFileReadError) throw new UsageError(e.message);
    throw e;
  }
}
