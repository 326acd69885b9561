'use strict';
// Copied by scripts/build.mjs to dist/src/bin/loader.cjs: hands a bin's command line to the store's
// server when one is up (remote.cjs, small), else runs the bin from the bins' CommonJS bundle
// (dist/src/bin/bins.cjs) with the V8 code cache the build made for it (bins.cjs.v8cache).
//
// Why: a bin's start is mostly compiling JavaScript (docs/performance.md, "Cold start"). Node 20
// has no compile cache of its own (module.enableCompileCache came in Node 22), but vm.Script takes
// V8's cached data, so the bundle is compiled from the build's cache instead of from source.
// A cache V8 refuses (another Node version, other V8 flags) is ignored: the bin compiles from
// source as it would without one. Nothing is written at run time; the build writes the cache
// from warm-up runs of the bins (PYGUBUAI_BUILD_CODE_CACHE names the file, and only the bundle's
// own cache file is accepted).
const { isAscii } = require('node:buffer');
const { readFileSync, writeFileSync } = require('node:fs');
const { dirname, join } = require('node:path');
const { Script } = require('node:vm');
const Module = require('node:module');

exports.run = function run(name) {
  // A running server answers the command without the bundle: its client is a script of its own.
  require('./remote.cjs')
    .runThroughServer(name)
    .then((answered) => {
      if (!answered) runBundle(name);
    });
};

function runBundle(name) {
  const file = join(__dirname, 'bins.cjs');
  const cacheFile = `${file}.v8cache`;
  let cachedData;
  try {
    cachedData = readFileSync(cacheFile);
  } catch {
    // no cache (a build without the warm-up): compile from source
  }
  // The build writes the bundle in ASCII, and decoding ASCII as latin1 is ~5x faster than Node 20's utf8 read
  // (1.6 MB: ~2 ms against ~8-12); a bundle with other bytes is decoded as utf8.
  const bytes = readFileSync(file);
  const source = isAscii(bytes) ? bytes.latin1Slice(0, bytes.length) : bytes.toString('utf8');
  const script = new Script(Module.wrap(source), { filename: file, cachedData });
  if (process.env.PYGUBUAI_BUILD_CODE_CACHE === cacheFile) {
    // After the run, so the functions the command compiled are in the cache too.
    process.once('exit', () => writeFileSync(cacheFile, script.createCachedData()));
  }
  const mod = new Module(file, module);
  mod.filename = file;
  mod.paths = Module._nodeModulePaths(dirname(file));
  script.runInThisContext().call(mod.exports, mod.exports, Module.createRequire(file), mod, file, dirname(file));
  // A rejection is the process's end, as it was for the ES-module bin's top-level await.
  void mod.exports.main(name);
}
