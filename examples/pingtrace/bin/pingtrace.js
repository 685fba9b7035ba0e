#!/usr/bin/env node
// pingtrace as bundled by lcc bundle (npm run build at the repository root
// makes it): the same file a host runs.
import '../dist/pingtrace.cjs';
