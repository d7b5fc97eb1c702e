#!/usr/bin/env node
// Runs the TypeScript command line in this process through tsx's loader.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../server/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
