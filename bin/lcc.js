#!/usr/bin/env -S node --min-semi-space-size=16
// Runs the CLI as built by `npm run build` (scripts/setup.sh runs it): one
// bundled file, dist/lcc.cjs (see scripts/bundle.mjs). This directory is
// CommonJS (bin/package.json): an ES module entry would start Node's ES
// module loader for nothing.
// The flag: a short batch run (lcc gen) otherwise spends ~15% of its time in
// young-generation collections while the heap grows from V8's 1 MB default.
//
// The bundle is compiled with V8's code cache of the same build when there is
// one (dist/lcc.cjs.cache, made by scripts/code-cache.mjs after a training
// run of lcc gen): a cold process then skips parsing the 430 kB bundle and
// compiling the functions lcc gen runs, ~20 ms of its ~0.25 s. require()
// cannot be handed a cache, so this does what it does for one file.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const Module = require('node:module');
const vm = require('node:vm');

const file = path.join(__dirname, '..', 'dist', 'lcc.cjs');
const cacheFile = `${file}.cache`;
const report = process.env.LCC_CODE_CACHE; // "report": say on stderr whether the cache was used; "write": make it

function load() {
  const source = fs.readFileSync(file, 'utf8');
  const id = /^\/\/ lcc build (\w+)\n/.exec(source);
  let cachedData;
  let state = 'absent';
  if (id && report !== 'write') {
    try {
      const buf = fs.readFileSync(cacheFile);
      const nl = buf.indexOf(10);
      // V8 checks its version and flags but, of the source, only its length: the header names the build
      if (nl > 0 && buf.toString('latin1', 0, nl) === id[1]) cachedData = buf.subarray(nl + 1);
      else state = 'stale';
    } catch {
      // no cache (a build without the training run): compile as require() would
    }
  }
  // no import() in the bundle (scripts/bundle.mjs refuses it): Node 20 loses its loader with a code cache
  const script = new vm.Script(Module.wrap(source), { filename: file, cachedData });
  if (cachedData) state = script.cachedDataRejected ? 'rejected' : 'accepted';
  const mod = new Module(file, module);
  mod.filename = file;
  mod.paths = Module._nodeModulePaths(path.dirname(file));
  script.runInThisContext().call(mod.exports, mod.exports, Module.createRequire(file), mod, file, path.dirname(file));
  mod.loaded = true;
  return { exports: mod.exports, script, state, id: id && id[1] };
}

const loaded = load();
if (report === 'report') process.stderr.write(`lcc: code cache ${loaded.state}\n`);
loaded.exports.main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
  if (report === 'write' && loaded.script && loaded.id) {
    // after the run: the cache then holds the functions it compiled, not only the top level
    const tmp = `${cacheFile}.${process.pid}.tmp`;
    fs.writeFileSync(tmp, Buffer.concat([Buffer.from(`${loaded.id}\n`, 'latin1'), loaded.script.createCachedData()]));
    fs.renameSync(tmp, cacheFile);
  }
});
