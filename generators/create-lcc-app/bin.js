#!/usr/bin/env node
// The scaffolder as one file (dist/create.cjs), bundled by the build
// (scripts/bundle.mjs) with its templates precompiled beside it.
import { createRequire } from 'node:module';

const { main } = createRequire(import.meta.url)('./dist/create.cjs');
process.exitCode = await main(process.argv.slice(2));
