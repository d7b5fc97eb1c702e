import { fileURLToPath } from 'node:url';

/** The repository root: where `app/`, `next.config.js` and the build `.next/` live. */
export const projectDir = fileURLToPath(new URL('../..', import.meta.url));
