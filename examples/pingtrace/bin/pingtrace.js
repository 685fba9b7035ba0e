#!/usr/bin/env node
// pingtrace as bundled by lcc bundle (npm run build at the repository root
// makes it): the same file a host runs. Required, not imported: importing a
// CommonJS file makes Node's ES module loader scan all 1.4 MB of it for its
// exports, ~12 MB of resident memory an agent left running keeps.
import { createRequire } from 'node:module';

createRequire(import.meta.url)('../dist/pingtrace.cjs');
