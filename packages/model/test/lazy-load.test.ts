import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { build, type Plugin } from 'esbuild';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeCharmMetaCache } from '../src/charm-meta.js';
import { FakeTools } from './helpers/fake-tools.js';

const pkgDir = path.join(import.meta.dirname, '..');

/**
 * Counts, in `globalThis.__yamlModulesEvaluated`, the modules of the `yaml` package the bundle
 * evaluates: each of its files gets a counter increment as its first statement.
 */
const countYamlEvaluation: Plugin = {
  name: 'count-yaml-evaluation',
  setup(b) {
    b.onLoad({ filter: /[\\/]node_modules[\\/]yaml[\\/].*\.js$/ }, (args) => ({
      contents: `globalThis.__yamlModulesEvaluated = (globalThis.__yamlModulesEvaluated ?? 0) + 1;\n${fs.readFileSync(args.path, 'utf8')}`,
      loader: 'js',
      resolveDir: path.dirname(args.path),
    }));
  },
};

/** A machine charm's dispatch: metadata from the charm directory, config read, status set. */
function charmScript(metadata: 'dir' | 'yaml-text'): string {
  return `
import { ActiveStatus, CharmMeta, HookToolBackend, JujuContext, Model } from './dist/index.js';
const context = JujuContext.fromEnv();
const meta = ${
    metadata === 'dir'
      ? 'CharmMeta.fromCharmDir(context.charmDir)'
      : "CharmMeta.fromYaml('name: from-text\\n')"
  };
const model = new Model({ meta, backend: new HookToolBackend({ context }), context });
model.unit.status = new ActiveStatus(meta.name + ' ' + String(model.config.get('port')));
model.unit.isLeader();
console.log(JSON.stringify({
  yamlModules: globalThis.__yamlModulesEvaluated ?? 0,
  // The leadership cache's clock must not load perf_hooks (the \`performance\` global).
  perfHooks: process.moduleLoadList.includes('NativeModule perf_hooks'),
  // Hook tools run without loading child_process (or net, with its sockets and streams).
  childProcess: process.moduleLoadList.includes('NativeModule child_process'),
  net: process.moduleLoadList.includes('NativeModule net'),
}));
`;
}

/** Bundle as `opsjs pack` does for a machine charm; returns the file and the bundled inputs. */
async function bundle(contents: string, outDir: string) {
  const outfile = path.join(outDir, 'charm.mjs');
  const result = await build({
    stdin: { contents, resolveDir: pkgDir, loader: 'ts' },
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node22',
    external: ['@opsjs/pebble'],
    metafile: true,
    logLevel: 'silent',
    plugins: [countYamlEvaluation],
    banner: {
      js: "import { createRequire as __opsjsCreateRequire } from 'node:module';\nconst require = __opsjsCreateRequire(import.meta.url);",
    },
  });
  return { outfile, inputs: Object.keys(result.metafile.inputs) };
}

describe('a bundled machine charm dispatch', () => {
  let work: string;
  let tools: FakeTools;
  beforeEach(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'opsjs-lazy-load-'));
    tools = new FakeTools();
    tools
      .add('config-get', { stdout: '{"port": 8080}' })
      .add('status-set')
      .add('is-leader', { stdout: 'true' });
  });
  afterEach(() => {
    tools.cleanup();
    fs.rmSync(work, { recursive: true, force: true });
  });

  const run = (outfile: string, charmDir: string, extraEnv: NodeJS.ProcessEnv = {}) => {
    const r = spawnSync(process.execPath, [outfile], {
      encoding: 'utf8',
      env: {
        ...tools.env,
        ...extraEnv,
        JUJU_DISPATCH_PATH: 'hooks/config-changed',
        JUJU_HOOK_NAME: 'config-changed',
        JUJU_MODEL_NAME: 'm',
        JUJU_MODEL_UUID: 'cdac5656-2423-4388-8f30-41854b4cca7d',
        JUJU_UNIT_NAME: 'demo/0',
        JUJU_VERSION: '3.6.4',
        JUJU_CHARM_DIR: charmDir,
      },
    });
    expect(r.stderr).toBe('');
    expect(r.status).toBe(0);
    return JSON.parse(r.stdout) as {
      yamlModules: number;
      perfHooks: boolean;
      childProcess: boolean;
      net: boolean;
    };
  };

  it('never evaluates yaml when the metadata comes from .opsjs/metadata.json', async () => {
    const charmDir = path.join(work, 'charm');
    fs.mkdirSync(charmDir);
    fs.writeFileSync(path.join(charmDir, 'metadata.yaml'), 'name: demo\n');
    const old = new Date(Date.now() - 60_000);
    fs.utimesSync(path.join(charmDir, 'metadata.yaml'), old, old);
    writeCharmMetaCache(charmDir, {
      metadata: { name: 'demo' },
      config: { options: { port: { type: 'int', default: 80 } } },
    });
    const { outfile, inputs } = await bundle(charmScript('dir'), work);
    // yaml is in the bundle (CharmMeta.fromYaml needs it) but not run.
    expect(inputs.some((f) => /[\\/]node_modules[\\/]yaml[\\/]/.test(f))).toBe(true);
    expect(run(outfile, charmDir)).toEqual({
      yamlModules: 0,
      perfHooks: false,
      childProcess: false,
      net: false,
    });
    expect(tools.commandLines()).toEqual([
      'config-get --format=json',
      'status-set --application=False active -- demo 8080',
      'is-leader --format=json',
    ]);
  });

  it('uses child_process, without a warning, when --pending-deprecation is on', async () => {
    // process.binding() warns under --pending-deprecation: the runner then takes the public API.
    const { outfile } = await bundle(charmScript('yaml-text'), work);
    const result = run(outfile, work, { NODE_OPTIONS: '--pending-deprecation' });
    expect(result.childProcess).toBe(true);
    expect(tools.commandLines()).toContain(
      'status-set --application=False active -- from-text 8080',
    );
  });

  it('evaluates yaml once a YAML text is parsed (the counter works)', async () => {
    const { outfile } = await bundle(charmScript('yaml-text'), work);
    expect(run(outfile, work).yamlModules).toBeGreaterThan(0);
    expect(tools.commandLines()).toContain(
      'status-set --application=False active -- from-text 8080',
    );
  });

  it('bundles zod/mini, not classic zod', async () => {
    const { inputs } = await bundle(charmScript('dir'), work);
    const zod = inputs.filter((f) => /[\\/]node_modules[\\/]zod[\\/]/.test(f));
    expect(zod.some((f) => /[\\/]v4[\\/]mini[\\/]/.test(f))).toBe(true);
    expect(zod.filter((f) => /[\\/]v4[\\/]classic[\\/]/.test(f))).toEqual([]);
  });
});

describe('zod and yaml imports in src', () => {
  it('use zod/mini at run time (classic zod only in type imports) and yaml only in yaml.cjs', () => {
    const offenders: string[] = [];
    const walk = (dir: string): void => {
      for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
        const file = path.join(dir, entry.name);
        if (entry.isDirectory()) {
          walk(file);
          continue;
        }
        const text = fs.readFileSync(file, 'utf8');
        const rel = path.relative(pkgDir, file);
        if (/^import (?!type )[^;]*from 'zod(\/v4)?';/m.test(text)) offenders.push(rel);
        const loadsYaml = /^import (?!type )[^;]*from 'yaml';|require\('yaml'\)/m.test(text);
        if (loadsYaml && rel !== path.join('src', 'yaml.cjs')) offenders.push(rel);
      }
    };
    walk(path.join(pkgDir, 'src'));
    expect(offenders).toEqual([]);
  });
});
