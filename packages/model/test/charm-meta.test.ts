import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CHARM_META_CACHE_FILE, CharmMeta, writeCharmMetaCache } from '../src/charm-meta.js';
import { MetadataError } from '../src/errors.js';
import { JujuVersion } from '../src/juju-version.js';

const fixtures = path.join(import.meta.dirname, 'fixtures');

function errorOf(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    return e;
  }
  throw new Error('expected an error');
}

describe('CharmMeta', () => {
  it('loads a unified charmcraft.yaml', () => {
    const meta = CharmMeta.fromCharmDir(path.join(fixtures, 'k8s-charm'));
    expect(meta.name).toBe('demo');
    expect(meta.title).toBe('Demo server');
    expect(meta.requires.database).toMatchObject({
      role: 'requires',
      interfaceName: 'postgresql_client',
      limit: 1,
      optional: false,
      scope: 'global',
    });
    expect(meta.provides.website?.optional).toBe(true);
    expect(meta.peers['demo-peers']?.role).toBe('peer');
    expect(Object.keys(meta.relations)).toEqual(['database', 'website', 'demo-peers']);
    expect(meta.storages.data).toMatchObject({
      type: 'filesystem',
      location: '/data',
      multipleRange: [2, null],
    });
    expect(meta.containers['demo-server']).toEqual({
      name: 'demo-server',
      resource: 'demo-server-image',
      mounts: [{ storage: 'data', location: '/srv/data' }],
    });
    expect(meta.resources['demo-server-image']?.type).toBe('oci-image');
    expect(meta.config['server-port']).toMatchObject({ type: 'int', default: 8000 });
    expect(meta.config.ratio?.default).toBeUndefined();
    expect(meta.config['db-password']?.type).toBe('secret');
    expect(meta.actions['get-db-info']).toMatchObject({
      additionalProperties: false,
      params: { 'show-password': { type: 'boolean', default: false } },
    });
    expect(meta.actions.restart).toMatchObject({ description: '', additionalProperties: true });
    expect(meta.extraBindings).toEqual(['metrics']);
    expect(meta.assumes).toEqual([
      'juju >= 3.6',
      'k8s-api',
      { 'any-of': ['k8s-api', { 'all-of': ['juju >= 3.1'] }] },
    ]);
  });

  it('loads metadata.yaml + config.yaml + actions.yaml', () => {
    const meta = CharmMeta.fromCharmDir(path.join(fixtures, 'legacy-charm'), {
      jujuVersion: new JujuVersion('4.0.0'),
    });
    expect(meta.subordinate).toBe(true);
    expect(meta.requires['juju-info']?.scope).toBe('container');
    expect(meta.storages.logs?.multipleRange).toEqual([1, 3]);
    expect(
      CharmMeta.fromYaml('name: x\nstorage: {a: {type: block}}').storages.a?.multipleRange,
    ).toBeNull();
    expect(
      CharmMeta.fromYaml('name: x\nstorage: {a: {type: block, multiple: {range: 3}}}').storages.a
        ?.multipleRange,
    ).toEqual([3, 3]);
    expect(
      CharmMeta.fromYaml('name: x\nstorage: {a: {type: block, multiple: {range: 2-}}}').storages.a
        ?.multipleRange,
    ).toEqual([2, null]);
    expect(meta.config.greeting?.default).toBe('hello');
    expect(meta.actions.snapshot).toMatchObject({
      required: ['name'],
      additionalProperties: false,
    });
    expect(meta.maintainers).toEqual(['Someone <s@example.com>']);
  });

  it('names the file, the path and what was expected', () => {
    const err = errorOf(() =>
      CharmMeta.fromYaml('name: x\ncontainers:\n  web:\n    resource: 5\n'),
    );
    expect(err).toBeInstanceOf(MetadataError);
    expect(String((err as Error).message)).toMatch(
      /^metadata\.yaml: containers\.web\.resource: .*expected string, received number/,
    );
    expect(() =>
      CharmMeta.fromYaml('name: x', { config: 'options:\n  port: {type: int, default: "80"}\n' }),
    ).toThrow(/^config\.yaml: options\.port\.default: expected a int default/);
    expect(() =>
      CharmMeta.fromCharmcraftYaml('name: x\nrequires: {db: {interface: pg, scope: galaxy}}'),
    ).toThrow(/^charmcraft\.yaml: requires\.db\.scope:/);
    expect(() =>
      CharmMeta.fromYaml('name: x\nstorage: {d: {type: filesystem, multiple: {range: "x"}}}'),
    ).toThrow(/storage\.d\.multiple\.range: expected "N", "N\+", "N-" or "N-M", got "x"/);
    expect(() => CharmMeta.fromYaml('name: [')).toThrow(/^metadata\.yaml: not valid YAML/);
    expect(() =>
      CharmMeta.fromYaml('name: x\nrequires: {db: {interface: a}}\nextra-bindings: {db: }'),
    ).toThrow(/extra-bindings\.db/);
  });

  it('rejects a key defined both in charmcraft.yaml and a legacy file, and a missing dir', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'opsjs-meta-'));
    try {
      expect(() => CharmMeta.fromCharmDir(dir)).toThrow(
        /expected metadata\.yaml or charmcraft\.yaml/,
      );
      fs.writeFileSync(path.join(dir, 'charmcraft.yaml'), 'name: x\nconfig: {options: {}}\n');
      fs.writeFileSync(path.join(dir, 'config.yaml'), 'options: {}\n');
      expect(() => CharmMeta.fromCharmDir(dir)).toThrow(/defined both here and in config\.yaml/);
      fs.writeFileSync(path.join(dir, 'charmcraft.yaml'), 'name: x\n');
      fs.writeFileSync(path.join(dir, 'config.yaml'), 'options: {a: {type: string}}\n');
      expect(CharmMeta.fromCharmDir(dir).config.a?.type).toBe('string');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('CharmMeta JSON cache', () => {
  it('is used while at least as new as the YAML files, and ignored once they change', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'opsjs-meta-cache-'));
    try {
      fs.writeFileSync(path.join(dir, 'metadata.yaml'), 'name: from-yaml\n');
      const old = new Date(Date.now() - 60_000);
      fs.utimesSync(path.join(dir, 'metadata.yaml'), old, old);
      writeCharmMetaCache(dir, {
        metadata: { name: 'from-cache', requires: { db: { interface: 'pg' } } },
        config: { options: { port: { type: 'int', default: 80 } } },
      });
      const meta = CharmMeta.fromCharmDir(dir);
      expect(meta.name).toBe('from-cache');
      expect(meta.config.port?.default).toBe(80);
      expect(meta.requires.db?.interfaceName).toBe('pg');
      const future = new Date(Date.now() + 60_000);
      fs.utimesSync(path.join(dir, 'metadata.yaml'), future, future);
      expect(CharmMeta.fromCharmDir(dir).name).toBe('from-yaml');
      fs.utimesSync(path.join(dir, 'metadata.yaml'), old, old);
      fs.writeFileSync(path.join(dir, CHARM_META_CACHE_FILE), '{"metadata": {"name": 5}}');
      expect(() => CharmMeta.fromCharmDir(dir)).toThrow(
        /^\.opsjs\/metadata\.json: metadata: name: .*expected string/,
      );
      fs.writeFileSync(path.join(dir, CHARM_META_CACHE_FILE), 'nope');
      expect(() => CharmMeta.fromCharmDir(dir)).toThrow('.opsjs/metadata.json: not valid JSON');
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('CharmMeta links', () => {
  it('reads top-level keys, else charmcraft links', () => {
    expect(
      CharmMeta.fromYaml('name: x\nwebsite: https://a\nsource: [https://b]\ndocs: https://d').links,
    ).toEqual({
      websites: ['https://a'],
      sources: ['https://b'],
      issues: [],
      documentation: 'https://d',
    });
    expect(
      CharmMeta.fromCharmcraftYaml(
        'name: x\nlinks: {website: [https://a], issues: https://i, documentation: https://d}',
      ).links,
    ).toEqual({
      websites: ['https://a'],
      sources: [],
      issues: ['https://i'],
      documentation: 'https://d',
    });
  });
});

describe('CharmMeta relation names', () => {
  it('rejects an endpoint declared in two sections', () => {
    expect(() =>
      CharmMeta.fromYaml('name: x\nrequires: {db: {interface: a}}\nprovides: {db: {interface: b}}'),
    ).toThrow('metadata.yaml: provides.db: duplicate relation name (also declared in requires)');
  });
});
