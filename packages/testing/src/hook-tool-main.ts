/**
 * Entry point of the fake hook-tool executables used by `runDispatch`: each tool on PATH is a
 * two-line shell script running `node <this file> <tools dir> <tool name> <args...>`.
 * It loads the world from `<tools dir>/world.json`, serves the call, records it, and writes
 * the world back. Hook tools run one at a time in a dispatch, so no locking is needed.
 * @internal
 */
import { appendFileSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { callsFile, encodeCall, runHookTool, worldFile } from './hook-tool-cli.js';
import { World } from './world.js';
import { parseWorld } from './world-schema.js';

const [, , dir = '', tool = '', ...args] = process.argv;
const file = worldFile(dir);
const data = parseWorld(readFileSync(file, 'utf8'), file);
const world = new World(data);
// The tool's shell script records the call already.
if (process.env.OPSJS_FAKE_TOOL_RECORDED === undefined) {
  appendFileSync(callsFile(dir), encodeCall([tool, ...args]));
}
const result = runHookTool(world, tool, args, () => readFileSync(0, 'utf8'));
writeFileSync(`${file}.tmp`, JSON.stringify(world.data));
renameSync(`${file}.tmp`, file);
process.stdout.write(result.stdout);
process.stderr.write(result.stderr);
process.exitCode = result.exitCode;
