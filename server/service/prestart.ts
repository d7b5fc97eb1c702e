/**
 * `npm start`'s first step (the `prestart` script): when the dashboard is served in production mode,
 * make sure its build in `.next/` exists and is not older than the app's sources; otherwise run
 * `next build` (about a minute on two cores). DASHBOARD=dev or off skips it.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { ConfigError } from '../env-schema';
import { projectDir } from './dashboard-paths';
import { loadServiceSettings } from './service-settings';

const sources = [
  'app',
  'contract',
  'next.config.js',
  'tsconfig.json',
  'tsconfig.app.json',
  'package-lock.json',
];

function newestMtimeMs(path: string): number {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of readdirSync(path)) newest = Math.max(newest, newestMtimeMs(join(path, entry)));
  return newest;
}

let mode: string;
try {
  mode = loadServiceSettings().dashboard;
} catch (error) {
  if (!(error instanceof ConfigError)) throw error;
  process.stderr.write(`culturewatch: ${error.message}\n`);
  process.exit(2);
}
if (mode === 'production') {
  const buildId = join(projectDir, '.next', 'BUILD_ID');
  const builtAt = existsSync(buildId) ? statSync(buildId).mtimeMs : 0;
  const changedAt = Math.max(...sources.map((s) => newestMtimeMs(join(projectDir, s))));
  if (builtAt <= changedAt) {
    process.stderr.write(
      builtAt === 0
        ? 'culturewatch: building the dashboard (first start)…\n'
        : 'culturewatch: the dashboard changed since its build; rebuilding…\n',
    );
    const result = spawnSync(join(projectDir, 'node_modules', '.bin', 'next'), ['build'], {
      cwd: projectDir,
      stdio: 'inherit',
      env: { ...process.env, NEXT_TELEMETRY_DISABLED: process.env.NEXT_TELEMETRY_DISABLED ?? '1' },
    });
    if (result.status !== 0) process.exit(result.status ?? 1);
  }
}
