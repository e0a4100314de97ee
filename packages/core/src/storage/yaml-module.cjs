// @ts-check
// CommonJS on purpose: `yaml` is required inside the function, not imported at the top, so a
// dispatch that reads no controller state never evaluates it (about 4 ms of start-up). A
// bundler (esbuild, as `opsjs pack` uses) keeps a `require` inside a function lazy, and Node
// runs this file as it is; an ESM `import … from 'yaml'` is evaluated when the module loads.
// (@opsjs/model loads `yaml` the same way.)
'use strict';

/**
 * @internal The `yaml` package, loaded on first use.
 * @returns {typeof import('yaml')}
 */
function yamlModule() {
  return require('yaml');
}

module.exports = { yamlModule };
