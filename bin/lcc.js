#!/usr/bin/env -S node --min-semi-space-size=16
// Runs the CLI as built by `npm run build` (scripts/setup.sh runs it): one
// bundled file, dist/lcc.cjs (see scripts/bundle.mjs). This directory is
// CommonJS (bin/package.json): an ES module entry would start Node's ES
// module loader for nothing.
// The flag: a short batch run (lcc gen) otherwise spends ~15% of its time in
// young-generation collections while the heap grows from V8's 1 MB default.
'use strict';
require('../dist/lcc.cjs')
  .main(process.argv.slice(2))
  .then((code) => {
    process.exitCode = code;
  });
