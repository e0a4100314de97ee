// @ts-check
// CommonJS on purpose: `yaml` is required inside the functions, not imported at the top, so a
// hook that touches no layer never evaluates it (~7 ms). A bundler (esbuild, as `opsjs pack`
// uses) keeps a `require` inside a function lazy, and Node runs this file as it is; an ESM
// `import { parse } from 'yaml'` is evaluated when the module loads. (JavaScript, not `.cts`:
// `erasableSyntaxOnly` forbids the `export =` a CommonJS TypeScript module needs.)
'use strict';

/**
 * @internal Parse one YAML document (`yaml`'s `parse`).
 * @param {string} text
 * @returns {unknown}
 */
function parseYaml(text) {
  return require('yaml').parse(text);
}

/**
 * @internal Write a value as a YAML document (`yaml`'s `stringify`).
 * @param {unknown} value
 * @returns {string}
 */
function stringifyYaml(value) {
  return require('yaml').stringify(value);
}

module.exports = { parseYaml, stringifyYaml };
