import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { build, type Plugin } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { FakePebbleServer } from '../src/fake/index.js';

const packageDir = fileURLToPath(new URL('..', import.meta.url));

async function bundle(
  source: string,
): Promise<{ inputs: string[]; size: number; kept: Record<string, number> }> {
  const result = await build({
    stdin: { contents: source, resolveDir: packageDir, loader: 'ts' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    write: false,
    metafile: true,
    logLevel: 'silent',
  });
  const kept: Record<string, number> = {};
  for (const output of Object.values(result.metafile.outputs)) {
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      if (bytesInOutput > 0) kept[input] = (kept[input] ?? 0) + bytesInOutput;
    }
  }
  return {
    inputs: Object.keys(result.metafile.inputs),
    size: result.outputFiles.reduce((n, f) => n + f.contents.length, 0),
    kept,
  };
}

describe('bundles', () => {
  it('a client-only consumer ships no ws (the fake server stays behind /fake)', async () => {
    const { inputs, size } = await bundle(
      "import { PebbleClient } from '@opsjs/pebble'; console.log(new PebbleClient({ socketPath: '/x' }).socketPath);",
    );
    expect(size).toBeGreaterThan(10_000);
    expect(inputs.some((i) => i.includes('/undici/'))).toBe(true);
    expect(inputs.filter((i) => /\/node_modules\/(\.pnpm\/)?ws[@/]/u.test(i))).toEqual([]);
    expect(inputs.filter((i) => i.includes('/fake/'))).toEqual([]);
  }, 60_000);

  it('keeps only the zod builders it uses, not every zod locale', async () => {
    const { kept } = await bundle(
      "import { PebbleClient } from '@opsjs/pebble'; console.log(new PebbleClient({ socketPath: '/x' }).socketPath);",
    );
    const zod = Object.keys(kept).filter((i) => i.includes('/zod/'));
    expect(zod.length).toBeGreaterThan(0);
    // The `z` namespace object would keep all ~60 locales (about 260 KB minified).
    expect(zod.filter((i) => /\/locales\/(?!en\.js$)[^/]+$/u.test(i))).toEqual([]);
  }, 60_000);

  it('loads zod/mini, not zod classic (whose methods cost a dispatch ~10 ms to load)', async () => {
    for (const source of [
      "import { PebbleClient, parseLayer } from '@opsjs/pebble'; console.log(new PebbleClient({ socketPath: '/x' }).socketPath, parseLayer('{}'));",
      "export { FakePebbleServer } from '@opsjs/pebble/fake';",
    ]) {
      const { inputs } = await bundle(source);
      expect(inputs.filter((i) => i.includes('/zod/v4/mini/')).length).toBeGreaterThan(0);
      expect(inputs.filter((i) => i.includes('/zod/v4/classic/'))).toEqual([]);
    }
  }, 60_000);

  it('the fake server entry point does bring ws', async () => {
    const { inputs } = await bundle("export { FakePebbleServer } from '@opsjs/pebble/fake';");
    expect(inputs.some((i) => /\/node_modules\/(\.pnpm\/)?ws[@/]/u.test(i))).toBe(true);
  });
});

/**
 * Counts, in `globalThis.__undiciModulesEvaluated` and `globalThis.__yamlModulesEvaluated`, the
 * modules of the `undici` and `yaml` packages a bundle evaluates: each of their files gets a
 * counter increment as its first statement.
 */
const countUndiciEvaluation: Plugin = {
  name: 'count-undici-evaluation',
  setup(b) {
    b.onLoad({ filter: /[\\/]node_modules[\\/](undici|yaml)[\\/].*\.js$/ }, async (args) => {
      const counter = /[\\/]node_modules[\\/]yaml[\\/]/.test(args.path)
        ? '__yamlModulesEvaluated'
        : '__undiciModulesEvaluated';
      return {
        contents: `globalThis.${counter} = (globalThis.${counter} ?? 0) + 1;\n${await readFile(args.path, 'utf8')}`,
        loader: 'js',
        resolveDir: dirname(args.path),
      };
    });
  },
};

describe('a bundled client', () => {
  it('evaluates no undici for REST calls, and loads it on the first exec', async () => {
    const work = await mkdtemp(join(tmpdir(), 'pebble-bundle-'));
    const server = await FakePebbleServer.start();
    try {
      server.handleExec('echo', ({ command, stdout }) => {
        stdout.write(`${command.slice(1).join(' ')}\n`);
        return 0;
      });
      const outfile = join(work, 'hook.mjs');
      const result = await build({
        stdin: {
          contents: `import { PebbleClient } from '@opsjs/pebble';
const count = () => globalThis.__undiciModulesEvaluated ?? 0;
const yamlCount = () => globalThis.__yamlModulesEvaluated ?? 0;
const client = new PebbleClient({ socketPath: process.argv[2] });
const atImport = count();
await client.getServices();
// yaml is loaded only to write a layer.
const yamlBeforeLayer = yamlCount();
await client.addLayer('web', { services: { web: { override: 'replace', command: 'web' } } });
await client.push('/f', 'hello');
const pulled = await client.pull('/f');
const services = (await client.getServices()).length;
const afterRest = count();
// Nor Node's own bundled undici (an ES import of node:http loads it for http.WebSocket).
const nodeUndici = process.moduleLoadList.some((m) => m.includes('internal/deps/undici'));
const { stdout } = await (await client.exec(['echo', 'hi'])).waitOutput();
console.log(JSON.stringify({ atImport, afterRest, nodeUndici, afterExec: count(), pulled, services, stdout, yamlBeforeLayer, yamlAfterLayer: yamlCount() }));
await client.close();`,
          resolveDir: packageDir,
          loader: 'ts',
        },
        outfile,
        bundle: true,
        platform: 'node',
        format: 'esm',
        target: 'node22',
        metafile: true,
        logLevel: 'silent',
        plugins: [countUndiciEvaluation],
        banner: {
          js: "import { createRequire as __opsjsCreateRequire } from 'node:module';\nconst require = __opsjsCreateRequire(import.meta.url);",
        },
      });
      // undici is in the bundle (exec needs it), behind a lazy initialiser.
      expect(Object.keys(result.metafile.inputs).some((i) => i.includes('/undici/'))).toBe(true);
      const { stdout } = await promisify(execFile)(process.execPath, [outfile, server.socketPath]);
      const seen = JSON.parse(stdout) as Record<string, unknown>;
      expect(seen).toMatchObject({
        atImport: 0,
        afterRest: 0,
        nodeUndici: false,
        pulled: 'hello',
        services: 1,
        stdout: 'hi\n',
        yamlBeforeLayer: 0,
      });
      expect(seen.afterExec).toBeGreaterThan(10);
      expect(seen.yamlAfterLayer).toBeGreaterThan(0);
    } finally {
      await server.close();
      await rm(work, { recursive: true, force: true });
    }
  }, 60_000);
});
