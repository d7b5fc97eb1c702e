import { readFileSync } from 'node:fs';
import {
  type CompiledModel,
  parseWindowProblem,
  WindowFormatError,
  type WindowProblem,
} from '../../assimilation';
import { UsageError } from './usage-error';

/** Reads a text file named on the command line, refusing with a message that names it. */
export function readTextFile(path: string | undefined, what: string): string {
  if (!path) throw new UsageError(`missing ${what} file argument`);
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw new UsageError(
      `${path}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
    );
  }
}

/** Reads a JSON file, refusing with a message that names the file and the problem. */
export function readJsonFile(path: string | undefined, what: string): unknown {
  const text = readTextFile(path, what);
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new UsageError(`${path}: not valid JSON (${(e as Error).message})`);
  }
}

/** Reads and validates a window-problem file (shared/spec/culture-model.md §2). */
export function readWindowFile(
  path: string | undefined,
  model: CompiledModel,
): { raw: unknown; problem: WindowProblem } {
  const raw = readJsonFile(path, 'WINDOW.json');
  try {
    return { raw, problem: parseWindowProblem(raw, model) };
  } catch (e) {
    if (e instanceof WindowFormatError)
      throw new UsageError(
        `${path}: ${e.message}${e.field === 'model' ? ' (name its model file with --model FILE)' : ''}`,
      );
    throw e;
  }
}
