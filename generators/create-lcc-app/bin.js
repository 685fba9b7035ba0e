#!/usr/bin/env node
// The generator is TypeScript compiled by the repository's build (npm run build).
import { main } from '../../dist/generators/create-lcc-app/src/cli.js';

process.exitCode = await main(process.argv.slice(2));
