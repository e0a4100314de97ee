import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { CharmMetadataError } from '../src/errors.js';
import { renderManifest, reproducibleStartedAt } from '../src/manifest.js';
import { basesFor, loadCharmProject } from '../src/project.js';
import { useTempDirs } from './helpers/temp-dir.js';

const tempDir = useTempDirs();

function projectFrom(files: Record<string, string>): string {
  const dir = tempDir();
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

describe('loadCharmProject', () => {
  it('reads legacy bases with run-on entries', () => {
    const dir = projectFrom({
      'charmcraft.yaml':
        'type: charm\nname: legacy\nbases:\n  - build-on:\n      - name: ubuntu\n        channel: "22.04"\n    run-on:\n      - name: ubuntu\n        channel: "22.04"\n        architectures: [amd64, arm64]\n',
    });
    const project = loadCharmProject(dir);
    expect(project.bases).toEqual([
      { name: 'ubuntu', channel: '22.04', architectures: ['amd64', 'arm64'] },
    ]);
    expect(basesFor(project, 'arm64')).toEqual([
      { name: 'ubuntu', channel: '22.04', architectures: ['arm64'] },
    ]);
  });

  it('reads multi-base platforms and build-for', () => {
    const dir = projectFrom({
      'charmcraft.yaml':
        'name: multi\nplatforms:\n  ubuntu@22.04:amd64:\n  jammy-arm:\n    build-on: [arm64]\n    build-for: [arm64]\nbase: ubuntu@22.04\n',
    });
    expect(loadCharmProject(dir).bases).toEqual([
      { name: 'ubuntu', channel: '22.04', architectures: ['amd64'] },
      { name: 'ubuntu', channel: '22.04', architectures: ['arm64'] },
    ]);
  });

  it('rejects an unsupported platform architecture, naming the field', () => {
    const dir = projectFrom({
      'charmcraft.yaml': 'name: odd\nbase: ubuntu@24.04\nplatforms:\n  s390x:\n',
    });
    expect(() => loadCharmProject(dir)).toThrow(CharmMetadataError);
    expect(() => loadCharmProject(dir)).toThrow(
      `${join(dir, 'charmcraft.yaml')}: platforms.s390x: unsupported architecture "s390x"`,
    );
  });

  it('packs legacy metadata.yaml, config.yaml and actions.yaml verbatim', () => {
    const metadata = 'name: old\n# a comment kept verbatim\n';
    const dir = projectFrom({
      'metadata.yaml': metadata,
      'config.yaml': 'options:\n  x:\n    type: string\n',
      'actions.yaml': 'go:\n',
      'charmcraft.yaml': 'type: charm\nbases:\n  - name: ubuntu\n    channel: "20.04"\n',
    });
    const project = loadCharmProject(dir);
    expect(project.metadataFile).toBe(join(dir, 'metadata.yaml'));
    expect(project.charmFiles['metadata.yaml']).toBe(metadata);
    expect(project.charmFiles['actions.yaml']).toBe('go:\n');
    expect(project.bases).toEqual([{ name: 'ubuntu', channel: '20.04', architectures: ['amd64'] }]);
    expect(Object.keys(project.meta.actions)).toEqual(['go']);
  });

  it('maps title and links into metadata.yaml as charmcraft does', () => {
    const dir = projectFrom({
      'charmcraft.yaml':
        'name: linked\ntitle: Linked\nlinks:\n  contact: me@example.com\n  documentation: https://docs\n  source: https://src\nparts:\n  charm:\n    plugin: dump\n',
    });
    const metadata = parse(loadCharmProject(dir).charmFiles['metadata.yaml'] ?? '');
    expect(metadata).toEqual({
      name: 'linked',
      'display-name': 'Linked',
      maintainers: ['me@example.com'],
      docs: 'https://docs',
      source: 'https://src',
    });
  });

  it('rejects config both in charmcraft.yaml and config.yaml', () => {
    const dir = projectFrom({
      'charmcraft.yaml': 'name: both\nconfig:\n  options: {}\n',
      'config.yaml': 'options: {}\n',
    });
    expect(() => loadCharmProject(dir)).toThrow(
      `${join(dir, 'charmcraft.yaml')}: config: also defined in ${join(dir, 'config.yaml')}; keep one`,
    );
  });
});

describe('renderManifest', () => {
  it('writes charmcraft form with a fixed time', () => {
    const text = renderManifest({
      bases: [{ name: 'ubuntu', channel: '24.04', architectures: ['arm64'] }],
      packerVersion: '1.2.3',
      startedAt: new Date(Date.UTC(1980, 0, 1)),
    });
    expect(text).toBe(
      [
        'analysis:',
        '  attributes:',
        '  - name: language',
        '    result: javascript',
        '  - name: framework',
        '    result: opsjs',
        'bases:',
        '- architectures:',
        '  - arm64',
        "  channel: '24.04'",
        '  name: ubuntu',
        "charmcraft-started-at: '1980-01-01T00:00:00.000000Z'",
        'charmcraft-version: opsjs-1.2.3',
        '',
      ].join('\n'),
    );
  });

  it('takes the time from SOURCE_DATE_EPOCH only', () => {
    expect(reproducibleStartedAt({ SOURCE_DATE_EPOCH: '86400' }).toISOString()).toBe(
      '1970-01-02T00:00:00.000Z',
    );
    expect(reproducibleStartedAt({}).toISOString()).toBe('1980-01-01T00:00:00.000Z');
    expect(reproducibleStartedAt({ SOURCE_DATE_EPOCH: 'soon' }).toISOString()).toBe(
      '1980-01-01T00:00:00.000Z',
    );
  });
});
