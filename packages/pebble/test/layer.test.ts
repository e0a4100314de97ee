import { describe, expect, it } from 'vitest';
import { APIError } from '../src/errors.js';
import { type Layer, LayerError, layerToDict, layerToYaml, parseLayer } from '../src/layer.js';
import { setup } from './helpers/setup.js';

const FULL_YAML = `summary: everything
description: every field Pebble knows
services:
  web:
    summary: web server
    description: serves
    startup: enabled
    override: replace
    command: /bin/web --port 80 [ --debug ]
    after: [db]
    before: [proxy]
    requires: [db]
    environment:
      MODE: prod
    user-id: 1000
    user: app
    group-id: 1000
    group: app
    working-dir: /srv
    on-success: ignore
    on-failure: shutdown
    on-check-failure:
      up: restart
    backoff-delay: 1s
    backoff-factor: 1.5
    backoff-limit: 1m
    kill-delay: 10s
  db:
    override: merge
    command: /bin/db
    workload: main
checks:
  up:
    override: replace
    level: alive
    startup: disabled
    period: 5s
    timeout: 1s
    threshold: 5
    http:
      url: http://localhost/health
      headers:
        X-Probe: "1"
  port:
    override: merge
    tcp:
      port: 5432
      host: db
  script:
    override: replace
    exec:
      command: /bin/check
      service-context: web
      environment:
        A: b
      user-id: 0
      user: root
      group-id: 0
      group: root
      working-dir: /tmp
log-targets:
  loki:
    override: replace
    type: loki
    location: http://loki:3100/loki/api/v1/push
    services: [all, -db]
    labels:
      env: prod
workloads:
  main:
    override: replace
`;

describe('Layer', () => {
  it('round-trips every field Pebble knows through YAML', () => {
    const layer = parseLayer(FULL_YAML);
    expect(layer.services?.web).toMatchObject({
      userId: 1000,
      workingDir: '/srv',
      onCheckFailure: { up: 'restart' },
      backoffFactor: 1.5,
      killDelay: '10s',
    });
    expect(layer.services?.db?.workload).toBe('main');
    expect(layer.checks?.script?.exec?.serviceContext).toBe('web');
    expect(layer.logTargets?.loki?.services).toEqual(['all', '-db']);
    expect(layer.sections?.workloads).toEqual({ main: { override: 'replace' } });
    const again = parseLayer(layerToYaml(layer));
    expect(again).toEqual(layer);
    const dict = layerToDict(layer);
    expect(Object.keys((dict.services as Record<string, object>).web ?? {})).toContain(
      'on-check-failure',
    );
  });

  it('accepts a kebab-case dictionary and drops unset fields', () => {
    const layer = parseLayer({
      services: { a: { override: 'merge', 'user-id': 5, command: 'x' } },
    });
    expect(layer).toEqual({ services: { a: { override: 'merge', userId: 5, command: 'x' } } });
    expect(layerToYaml({})).toBe('{}\n');
  });

  it('reports bad YAML and wrong types as LayerError naming the field', () => {
    expect(() => parseLayer('services: [')).toThrow(LayerError);
    expect(() => parseLayer('services:\n  a:\n    user-id: abc\n')).toThrow(
      /services\.a\.user-id/u,
    );
  });
});

describe('addLayer and getPlan', () => {
  it('adds typed layers, YAML and dictionaries, and merges them into the plan', async () => {
    const { client } = await setup();
    await client.addLayer('base', {
      services: {
        web: { override: 'replace', command: '/bin/web', environment: { A: '1' }, after: ['x'] },
      },
    });
    await client.addLayer(
      'yaml',
      'services:\n  web:\n    override: merge\n    environment:\n      B: "2"\n    after: [y]\n',
    );
    await client.addLayer('dict', {
      services: { web: { override: 'merge', 'working-dir': '/srv' } },
    });
    const plan = await client.getPlan();
    // Pebble's merge never copies `override`: the first layer's `replace` stays.
    expect(plan.services?.web).toEqual({
      override: 'replace',
      command: '/bin/web',
      environment: { A: '1', B: '2' },
      after: ['x', 'y'],
      workingDir: '/srv',
    });
  });

  it('prints durations in Go form and keeps the first override when merging, as Pebble', async () => {
    const { client } = await setup();
    await client.addLayer(
      'a',
      [
        'services:',
        '  web: {override: replace, command: web, backoff-delay: 1m, kill-delay: 1500ms}',
        'checks:',
        '  up: {override: replace, period: 90s, timeout: 0.5s, http: {url: "http://x"}}',
        '  ex: {override: replace, exec: {command: "true"}}',
        'log-targets:',
        '  lt: {override: replace, type: loki, location: "http://l", services: [web]}',
      ].join('\n'),
    );
    await client.addLayer(
      'b',
      [
        'checks:',
        '  up: {override: merge, level: ready, http: {headers: {A: b}}}',
        '  ex: {override: merge, exec: {working-dir: /srv}}',
        'log-targets:',
        '  lt: {override: merge, services: [all]}',
      ].join('\n'),
    );
    const plan = await client.getPlan();
    expect(plan.services?.web).toMatchObject({ backoffDelay: '1m0s', killDelay: '1.5s' });
    expect(plan.checks?.up).toEqual({
      override: 'replace',
      level: 'ready',
      period: '1m30s',
      timeout: '500ms',
      threshold: 3,
      http: { url: 'http://x', headers: { A: 'b' } },
    });
    expect(plan.checks?.ex).toEqual({
      override: 'replace',
      threshold: 3,
      exec: { command: 'true', workingDir: '/srv' },
    });
    expect(plan.logTargets?.lt).toMatchObject({ override: 'replace', services: ['web', 'all'] });
  });

  it('replaces a service wholesale with override: replace', async () => {
    const { client, server } = await setup();
    await client.addLayer('a', {
      services: { web: { override: 'replace', command: 'one', user: 'app' } },
    });
    await client.addLayer('b', { services: { web: { override: 'replace', command: 'two' } } });
    expect((await client.getPlan()).services?.web).toEqual({ override: 'replace', command: 'two' });
    expect(server.layers.map((l) => l.label)).toEqual(['a', 'b']);
  });

  it('combines into an existing layer in place, and refuses a duplicate label without combine', async () => {
    const { client, server } = await setup();
    await client.addLayer('a', { services: { web: { override: 'replace', command: 'one' } } });
    await client.addLayer('b', { services: { db: { override: 'replace', command: 'db' } } });
    await client.addLayer(
      'a',
      { services: { web: { override: 'merge', command: 'two' } } },
      { combine: true },
    );
    expect(server.layers.map((l) => l.label)).toEqual(['a', 'b']);
    expect((await client.getPlan()).services?.web?.command).toBe('two');
    await expect(client.addLayer('a', { services: {} })).rejects.toMatchObject({
      status: 400,
      apiMessage: 'layer "a" already exists',
    });
  });

  it('rejects invalid layers with Pebble-style messages and leaves the plan unchanged', async () => {
    const { client } = await setup();
    await client.addLayer('a', { services: { web: { override: 'replace', command: 'one' } } });
    const cases: [string, string][] = [
      [
        'services:\n  web:\n    command: x\n',
        'layer "bad" must define "override" for service "web"',
      ],
      [
        'services:\n  web:\n    override: replace\n    bogus: 1\n',
        'field bogus not found in type plan.Service',
      ],
      ['nonsense: {}\n', 'cannot parse layer "bad": unknown section "nonsense"'],
      [
        'services:\n  web:\n    override: replace\n\n    bogus: 1\n',
        'cannot parse layer "bad" section "services": yaml: unmarshal errors:\n  line 3: field bogus not found in type plan.Service',
      ],
      ['services:\n  web:\n', 'service object cannot be null for service "web"'],
      [
        'services:\n  web: {override: replace, command: x, on-failure: bogus}\n',
        'plan service "web" on-failure action "bogus" invalid',
      ],
      [
        'services:\n  web: {override: replace, command: x, on-success: success-shutdown}\n',
        'plan service "web" on-success action "success-shutdown" invalid',
      ],
      [
        'services:\n  web: {override: replace, command: x, backoff-factor: 0.5}\n',
        'plan service "web" backoff-factor must be 1.0 or greater, not 0.5',
      ],
      [
        "services:\n  web: {override: replace, command: 'x \"open'}\n",
        'plan service "web" command invalid: cannot parse service "web" command: EOF found when expecting closing quote',
      ],
      [
        'services:\n  web: {override: replace, command: "[ x ]"}\n',
        'cannot start command with [ ... ] group',
      ],
      [
        'services:\n  web: {override: replace, command: x, kill-delay: 10}\n',
        'cannot parse layer "bad" section "services": invalid duration "10"',
      ],
      [
        'checks:\n  c: {override: replace, period: 0s, exec: {command: x}}\n',
        'plan check "c" period must not be zero',
      ],
      [
        'checks:\n  c: {override: replace, startup: maybe, exec: {command: x}}\n',
        'plan check "c" startup must be "enabled" or "disabled"',
      ],
      [
        'log-targets:\n  t: {override: replace, type: splunk, location: x}\n',
        'log target "t" has unsupported type "splunk", must be "loki", "opentelemetry" or "syslog"',
      ],
      [
        'log-targets:\n  t: {override: replace, type: loki, location: x, labels: {pebble_x: y}}\n',
        'log target "t": label "pebble_x" uses reserved prefix "pebble_"',
      ],
      ['services:\n  x:\n    override: replace\n', 'plan must define "command" for service "x"'],
      [
        'services:\n  x:\n    override: replace\n    command: x\n    requires: [nope]\n',
        'service "nope" does not exist',
      ],
      [
        'checks:\n  c:\n    override: replace\n    http: {headers: {A: b}}\n',
        'plan must set "url" for http check "c"',
      ],
      [
        'checks:\n  c:\n    override: replace\n',
        'plan must specify one of "http", "tcp", or "exec" for check "c"',
      ],
      [
        'log-targets:\n  t:\n    override: replace\n    location: x\n',
        'plan must define "type" ("loki", "opentelemetry" or "syslog") for log target "t"',
      ],
      [
        'services:\n  x:\n    override: replace\n    command: x\n    after: [y]\n  y:\n    override: replace\n    command: y\n    after: [x]\n',
        'services in before/after loop: x, y',
      ],
    ];
    for (const [yaml, message] of cases) {
      const error = await client.addLayer('bad', yaml).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(APIError);
      expect((error as APIError).apiMessage).toContain(message);
    }
    expect(Object.keys((await client.getPlan()).services ?? {})).toEqual(['web']);
  });

  it('prints the plan as Pebble does (4-space indentation, threshold filled in)', async () => {
    const { client, server } = await setup();
    expect(server.plan).toEqual({});
    await client.addLayer('a', {
      checks: { up: { override: 'replace', level: 'alive', http: { url: 'http://localhost/' } } },
      services: { web: { override: 'replace', command: 'web', startup: 'enabled' } },
    });
    const plan: Layer = await client.getPlan();
    expect(plan.checks?.up?.threshold).toBe(3);
    const yaml = layerToYaml(plan);
    expect(yaml).toContain('threshold: 3');
  });
});
