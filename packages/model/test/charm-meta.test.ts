import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse as parseYaml } from 'yaml';
import {
  CHARM_META_CACHE_FILE,
  CharmMeta,
  charmMetaCacheText,
  writeCharmMetaCache,
} from '../src/charm-meta.js';
import { MetadataError } from '../src/errors.js';
import { JujuVersion } from '../src/juju-version.js';
import { charmMetaChecksum } from '../src/schemas/charm-meta-cache.js';

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

describe('CharmMeta JSON cache, current format', () => {
  /** A charm dir holding copies of a fixture's YAML files, older than the cache. */
  function charmDirFrom(fixture: string): { dir: string; docs: Record<string, unknown> } {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'opsjs-meta-cache-'));
    const docs: Record<string, unknown> = {};
    const old = new Date(Date.now() - 60_000);
    for (const name of fs.readdirSync(path.join(fixtures, fixture))) {
      const text = fs.readFileSync(path.join(fixtures, fixture, name), 'utf8');
      fs.writeFileSync(path.join(dir, name), text);
      fs.utimesSync(path.join(dir, name), old, old);
      docs[name.replace('.yaml', '')] = parseYaml(text);
    }
    return { dir, docs };
  }

  /** The documents of a fixture as `CharmMeta.fromCharmDir` reads them. */
  function docsOf(docs: Record<string, unknown>) {
    if (docs.charmcraft === undefined) return docs as { metadata: unknown };
    const { config, actions, ...metadata } = docs.charmcraft as Record<string, unknown>;
    return { metadata, config, actions };
  }

  it.each(['k8s-charm', 'legacy-charm'])(
    'gives the same CharmMeta as the YAML files (%s), whatever the Juju version',
    (fixture) => {
      const { dir, docs } = charmDirFrom(fixture);
      try {
        const fromYaml = CharmMeta.fromCharmDir(dir);
        const juju4 = { jujuVersion: new JujuVersion('4.0.0') };
        const fromYaml4 = CharmMeta.fromCharmDir(dir, juju4);
        writeCharmMetaCache(dir, docsOf(docs));
        // An invalid metadata.yaml older than the cache shows which one is read.
        fs.writeFileSync(path.join(dir, 'metadata.yaml'), 'name: [unreadable]\n');
        const old = new Date(Date.now() - 60_000);
        fs.utimesSync(path.join(dir, 'metadata.yaml'), old, old);
        expect(CharmMeta.fromCharmDir(dir)).toEqual(fromYaml);
        expect(CharmMeta.fromCharmDir(dir, juju4)).toEqual(fromYaml4);
        expect(fromYaml4).not.toEqual(fromYaml);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    },
  );

  it('holds the normalised metadata with its format, and is the same for the same documents', () => {
    const docs = {
      metadata: { name: 'demo', requires: { db: { interface: 'pg' } } },
      config: { options: { port: { type: 'int', default: 80 } } },
    };
    const text = charmMetaCacheText(docs);
    expect(charmMetaCacheText(structuredClone(docs))).toBe(text);
    expect(text.endsWith('}\n')).toBe(true);
    const body = JSON.parse(text);
    expect(body).toMatchObject({
      format: 'opsjs-charm-meta/2',
      checksum: expect.stringMatching(/^[0-9a-f]{8}$/),
      data: {
        name: 'demo',
        requires: { db: { interfaceName: 'pg', limit: null, optional: false, scope: 'global' } },
        config: { port: { type: 'int', default: 80, description: '' } },
        actions: {},
      },
    });
    expect(Object.keys(body)).toEqual(['format', 'checksum', 'data']);
  });

  it('is not written for invalid documents', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'opsjs-meta-cache-'));
    try {
      expect(() => writeCharmMetaCache(dir, { metadata: { name: 'x' }, config: 5 })).toThrow(
        'config.yaml: Invalid input: expected object, received number',
      );
      expect(fs.existsSync(path.join(dir, CHARM_META_CACHE_FILE))).toBe(false);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('reads back what it wrote, whatever the text and numbers (the checksum survives JSON)', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'opsjs-meta-cache-'));
    try {
      const docs = {
        metadata: {
          name: 'demo',
          summary: 'caf\u00e9 \u2192 \ud83d\ude80 "q" \\ \u0001',
          description: '',
        },
        config: {
          options: {
            big: { type: 'float', default: 1e21 },
            small: { type: 'float', default: 5e-324 },
            third: { type: 'float', default: 1 / 3 },
            '10': { type: 'int', default: -7 },
          },
        },
      };
      writeCharmMetaCache(dir, docs);
      const meta = CharmMeta.fromCharmDir(dir);
      expect(meta).toEqual(new CharmMeta(docs));
      expect(meta.summary).toBe('caf\u00e9 \u2192 \ud83d\ude80 "q" \\ \u0001');
      expect(meta.config.big?.default).toBe(1e21);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  describe('a cache that is not ours, or changed since it was written, is rejected, naming the file', () => {
    const good = () => JSON.parse(charmMetaCacheText({ metadata: { name: 'demo' } }));
    const changed = (edit: (data: Record<string, unknown>) => void) => {
      const body = good();
      edit(body.data);
      return body;
    };
    const checksumError = (body: { checksum: string; data: unknown }) =>
      `.opsjs/metadata.json: checksum: expected "${body.checksum}", got "${charmMetaChecksum(JSON.stringify(body.data))}" (the file changed after it was written: pack the charm again)`;
    const renamed = changed((d) => {
      d.name = 'other';
    });
    const extraEndpoint = changed((d) => {
      d.peers = { db: { interfaceName: 'b', limit: null, optional: false, scope: 'global' } };
    });
    it.each([
      ['an array', [], '.opsjs/metadata.json: expected an object'],
      ['no format', {}, '.opsjs/metadata.json: expected an object with "format" (or "metadata")'],
      [
        'another format',
        { ...good(), format: 'opsjs-charm-meta/1' },
        '.opsjs/metadata.json: format: expected "opsjs-charm-meta/2", got "opsjs-charm-meta/1" (written by another version of @opsjs/model: pack the charm again)',
      ],
      [
        'a format that is not a string',
        { ...good(), format: { v: 1 } },
        '.opsjs/metadata.json: format: expected "opsjs-charm-meta/2", got object (written by another version of @opsjs/model: pack the charm again)',
      ],
      [
        'no checksum',
        { ...good(), checksum: undefined },
        '.opsjs/metadata.json: expected "checksum" and "data"',
      ],
      [
        'no data',
        { ...good(), data: null },
        '.opsjs/metadata.json: expected "checksum" and "data"',
      ],
      ['an edited field', renamed, checksumError(renamed)],
      ['an added endpoint', extraEndpoint, checksumError(extraEndpoint)],
    ])('%s', (_label, body, message) => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'opsjs-meta-cache-'));
      try {
        fs.mkdirSync(path.join(dir, '.opsjs'));
        fs.writeFileSync(path.join(dir, CHARM_META_CACHE_FILE), JSON.stringify(body));
        const err = errorOf(() => CharmMeta.fromCharmDir(dir));
        expect(err).toBeInstanceOf(MetadataError);
        expect((err as MetadataError).message).toBe(message);
        expect((err as MetadataError).file).toMatch(/\.opsjs[\\/]metadata\.json$/);
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  });

  it('still reads the first format ({ metadata, config, actions }), validated as YAML is', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'opsjs-meta-cache-'));
    try {
      fs.mkdirSync(path.join(dir, '.opsjs'));
      fs.writeFileSync(
        path.join(dir, CHARM_META_CACHE_FILE),
        JSON.stringify({
          metadata: { name: 'old', provides: { web: { interface: 'http' } } },
          config: { options: { port: { type: 'int', default: 80 } } },
          actions: null,
        }),
      );
      const meta = CharmMeta.fromCharmDir(dir);
      expect(meta.name).toBe('old');
      expect(meta.provides.web?.interfaceName).toBe('http');
      expect(meta.config.port?.default).toBe(80);
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
