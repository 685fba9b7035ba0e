#!/usr/bin/env node
// Runs the compiled CLI (npm run build / scripts/setup.sh produce dist/).
import { main } from '../dist/src/cli/main.js';

process.exitCode = await main(process.argv.slice(2));
