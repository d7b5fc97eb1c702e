import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');

function importsOf(folder: string): { file: string; target: string }[] {
  const out: { file: string; target: string }[] = [];
  for (const entry of readdirSync(join(root, folder), { recursive: true, withFileTypes: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.ts')) continue;
    const path = join(entry.parentPath, entry.name);
    const text = readFileSync(path, 'utf8');
    for (const m of text.matchAll(/^\s*(?:import|export)\b[^'"]*?from\s+'([^']+)'/gm))
      out.push({ file: relative(root, path), target: m[1] });
  }
  return out;
}

describe('server/ folders keep their doors', () => {
  it('api/ and alerts/ do not import each other; both reach HTTP only through http/', () => {
    const crossing = [
      ...importsOf('server/api').filter((i) => i.target.startsWith('../alerts/')),
      ...importsOf('server/alerts').filter((i) => i.target.startsWith('../api/')),
    ];
    expect(crossing).toEqual([]);
  });

  it('auth/ does not import the service settings', () => {
    expect(importsOf('server/auth').filter((i) => i.target.includes('service/'))).toEqual([]);
  });

  it('the plant signals and the reactor-id pattern are written only in contract/', () => {
    const written: string[] = [];
    for (const folder of ['server', 'app', 'db']) {
      for (const entry of readdirSync(join(root, folder), { recursive: true, withFileTypes: true })) {
        if (!entry.isFile() || !/\.tsx?$/.test(entry.name)) continue;
        const path = join(entry.parentPath, entry.name);
        const text = readFileSync(path, 'utf8');
        if (/'assay\/A',\s*'assay\/B'/.test(text) || text.includes('[A-Za-z0-9_-]{1,64}$/'))
          written.push(relative(root, path));
      }
    }
    expect(written).toEqual([]);
  });
});
