import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ToolError } from './errors.js';

/** Options of {@link scaffoldInterface}. */
export interface ScaffoldOptions {
  /** The interface name, e.g. `redis_client`. */
  readonly name: string;
  /** Its major version (default 0). */
  readonly version?: number;
  /** The folder that receives the package folder (e.g. `packages/interfaces`). */
  readonly dir: string;
  /** The repository root, for the changeset (none is written when undefined). */
  readonly repoRoot?: string | undefined;
  /**
   * The shared TypeScript config the package extends (default: the repository root's
   * `tsconfig.base.json`, or `../../../tsconfig.base.json` without a root).
   */
  readonly tsconfigBase?: string;
}

const NAME = /^[a-z][a-z0-9_-]*$/;

function camel(name: string): string {
  return name.replace(/[-_]+([a-z0-9])/g, (_m, c: string) => c.toUpperCase());
}

function pascal(name: string): string {
  const c = camel(name);
  return c.charAt(0).toUpperCase() + c.slice(1);
}

/**
 * `charmlibs new`: write a new interface package `<dir>/<name>` (package.json, tsconfigs,
 * vitest config, `src/index.ts` with the schema and Provider/Requirer, a test, README) and a
 * changeset announcing it.
 *
 * @returns the files written
 * @throws {ToolError} for a bad name or when the package folder exists
 */
export function scaffoldInterface(options: ScaffoldOptions): string[] {
  const { name, dir } = options;
  const version = options.version ?? 0;
  if (!NAME.test(name)) {
    throw new ToolError(
      `interface name ${JSON.stringify(name)}: use lower-case letters, digits, '_' and '-'`,
    );
  }
  if (!Number.isInteger(version) || version < 0) {
    throw new ToolError(`--version must be a non-negative integer, got ${version}`);
  }
  const folder = name.replaceAll('_', '-');
  const pkgDir = join(dir, folder);
  if (existsSync(pkgDir)) throw new ToolError(`${pkgDir} already exists`);
  const pkgName = `@opsjs/interface-${folder}`;
  const base =
    options.tsconfigBase ??
    (options.repoRoot === undefined
      ? join('..', '..', '..', 'tsconfig.base.json')
      : join(options.repoRoot, 'tsconfig.base.json'));
  const extendsPath = base.startsWith('/') ? relative(pkgDir, base) : base;
  const def = `${camel(name)}V${version}`;
  const P = pascal(name);
  const files: Record<string, string> = {
    'package.json': `${JSON.stringify(
      {
        name: pkgName,
        version: '0.0.0',
        description: `Typed ${name} (v${version}) relation interface for opsjs charms`,
        license: 'Apache-2.0',
        type: 'module',
        engines: { node: '>=22.19.0' },
        sideEffects: false,
        exports: {
          '.': { types: './dist/index.d.ts', default: './dist/index.js' },
          './package.json': './package.json',
        },
        files: ['dist', 'src', 'schemas'],
        publishConfig: { access: 'public' },
        charmlibs: { interfaces: [{ name, version }] },
        scripts: {
          build: 'tsc -p tsconfig.build.json',
          typecheck: 'tsc --noEmit',
          test: 'vitest run --typecheck --reporter=default --reporter=json --outputFile.json=.vitest/results.json',
          'check:pack': 'publint --strict && attw --pack . --profile esm-only',
          'check:schemas': 'node node_modules/@opsjs/charmlibs/dist/bin.js check .',
        },
        dependencies: {
          '@opsjs/charmlibs': 'workspace:^',
          '@opsjs/core': 'workspace:^',
          zod: '^4.6.7',
        },
        devDependencies: {},
      },
      null,
      2,
    )}\n`,
    'tsconfig.json': `{
  "extends": ${JSON.stringify(extendsPath)},
  "compilerOptions": {
    "rootDir": ".",
    "noEmit": true
  },
  "include": ["src", "test"]
}
`,
    'tsconfig.build.json': `{
  "extends": ${JSON.stringify(extendsPath)},
  "compilerOptions": {
    "rootDir": "src",
    "outDir": "dist"
  },
  "include": ["src"]
}
`,
    'vitest.config.ts': `import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: { include: ['test/**/*.test.ts'] },
});
`,
    'src/index.ts': `import { defineInterface, jsonField } from '@opsjs/charmlibs';
import { int, maximum, minimum, string } from 'zod/mini';

/** The ${name} interface, v${version}: what each side writes in its databags. */
export const ${def} = defineInterface({
  name: '${name}',
  version: ${version},
  summary: 'Describe what the ${name} interface is for.',
  // Built on first use: a dispatch that touches no ${name} data builds no schema.
  schemas: () => ({
    provider: { app: { endpoint: string() } },
    requirer: { app: { port: jsonField(int().check(minimum(1), maximum(65535))) } },
  }),
});

/** The provider side of ${name}: create one per providing endpoint. */
export class ${P}Provider extends ${def}.Provider {}

/** The requirer side of ${name}: create one per requiring endpoint. */
export class ${P}Requirer extends ${def}.Requirer {}
`,
    'test/interface.test.ts': `import { describe, expect, it } from 'vitest';
import { ${def} } from '../src/index.js';

describe('${name} v${version}', () => {
  it('parses a provider app bag and rejects a bad requirer bag', () => {
    expect(${def}.provider.app.parse({ endpoint: 'host:1' }).ok).toBe(true);
    expect(${def}.requirer.app.parse({ port: 'not json' }).ok).toBe(false);
  });

  it('encodes the requirer app bag as Python writes it', () => {
    expect(${def}.requirer.app.encode({ port: 8080 })).toEqual({ port: '8080' });
  });
});
`,
    'README.md': `# ${pkgName}

The \`${name}\` relation interface (v${version}) for opsjs charms: typed \`${P}Provider\` and \`${P}Requirer\`.

## Usage

\`\`\`ts
import { ${P}Requirer } from '${pkgName}';

// in the charm constructor:
this.${camel(name)} = new ${P}Requirer(this, '${name.replaceAll('_', '-')}');
this.observe(this.${camel(name)}.on.ready, this.on${P}Ready);
\`\`\`

Run \`charmlibs check\` before releasing: it compares the JSON Schemas with \`schemas/released.json\`.
`,
  };
  const written: string[] = [];
  for (const [rel, text] of Object.entries(files)) {
    const file = join(pkgDir, rel);
    mkdirSync(join(file, '..'), { recursive: true });
    writeFileSync(file, text);
    written.push(file);
  }
  if (options.repoRoot !== undefined) {
    const changesets = join(options.repoRoot, '.changeset');
    mkdirSync(changesets, { recursive: true });
    const file = join(changesets, `new-interface-${folder}.md`);
    writeFileSync(
      file,
      `---\n"${pkgName}": minor\n---\n\nAdd the ${name} v${version} relation interface with typed provider and requirer.\n`,
    );
    written.push(file);
  }
  return written;
}
