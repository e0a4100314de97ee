#!/usr/bin/env node
import { CharmLibError } from './errors.js';
import { runTool } from './tool.js';

try {
  process.exitCode = await runTool(process.argv.slice(2));
} catch (err) {
  if (!(err instanceof CharmLibError)) throw err;
  console.error(`charmlibs: ${err.message}`);
  process.exitCode = 2;
}
