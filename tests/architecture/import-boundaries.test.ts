/**
 * The rooms of docs/architecture.md, checked on the source: code outside `assimilation/` reaches the
 * engine through `assimilation/index.ts` only, and `assimilation/` imports nothing of ours outside
 * itself. Tests may import anything.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative, resolve, sep } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '../..');
const skipped = new Set(['node_modules', '.next', '.git', 'tests']);

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return skipped.has(entry.name) ? [] : sourceFiles(path);
    return /\.(ts|tsx|js|mjs)$/.test(entry.name) ? [path] : [];
  });
}

/** Every relative module a file imports or re-exports, resolved against the repository root. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const found: string[] = [];
  for (const m of text.matchAll(/(?:from|import)\s*\(?\s*['"](\.{1,2}\/[^'"]+)['"]/g))
    found.push(
      relative(root, resolve(file, '..', m[1]))
        .split(sep)
        .join('/'),
    );
  return found;
}

const files = sourceFiles(root).map((path) => ({ path, name: relative(root, path).split(sep).join('/') }));

describe('import boundaries', () => {
  it('finds the source it checks', () => {
    expect(files.some((f) => f.name.startsWith('server/'))).toBe(true);
    expect(files.some((f) => f.name.startsWith('assimilation/'))).toBe(true);
  });

  it('outside assimilation/, imports of the engine go through assimilation/index.ts', () => {
    const deep = files
      .filter((f) => !f.name.startsWith('assimilation/'))
      .flatMap((f) =>
        importsOf(f.path)
          .filter(
            (target) => target.startsWith('assimilation/') && !/^assimilation\/index(\.ts)?$/.test(target),
          )
          .map((target) => `${f.name} imports ${target}`),
      );
    expect(deep).toEqual([]);
  });

  it('assimilation/ imports nothing of ours outside itself', () => {
    const outside = files
      .filter((f) => f.name.startsWith('assimilation/'))
      .flatMap((f) =>
        importsOf(f.path)
          .filter((target) => !target.startsWith('assimilation/'))
          .map((target) => `${f.name} imports ${target}`),
      );
    expect(outside).toEqual([]);
  });
});
