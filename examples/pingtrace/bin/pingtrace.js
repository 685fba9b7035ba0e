#!/usr/bin/env node
// Runs the compiled pingtrace (npm run build at the repository root produces it).
import { main } from '../../../dist/examples/pingtrace/src/main.js';

process.exitCode = await main(process.argv.slice(2));
