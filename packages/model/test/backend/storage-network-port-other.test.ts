import { describe, expect, it } from 'vitest';
import { HookToolBackend } from '../../src/backend/hook-tool-backend.js';
import { JujuContext } from '../../src/juju-context.js';
import { JujuVersion } from '../../src/juju-version.js';
import { useFakeTools } from '../helpers/backend-setup.js';

const { tools, backend } = useFakeTools();

describe('storage, network, ports, resources, goal state, credentials', () => {
  it('builds argv and parses output', () => {
    tools()
      .add('storage-list', { stdout: '["data/0","data/3"]' })
      .add('storage-get', { stdout: '{"kind":"filesystem","location":"/srv/data"}' })
      .add('storage-add')
      .add('network-get', {
        stdout: JSON.stringify({
          'bind-addresses': [
            {
              'mac-address': '',
              'interface-name': 'eth0',
              addresses: [{ hostname: '', address: '10.1.2.3', cidr: '10.1.2.0/24' }],
            },
          ],
          'egress-subnets': ['10.1.2.3/32'],
          'ingress-addresses': ['10.1.2.3'],
        }),
      })
      .add('open-port')
      .add('close-port')
      .add('opened-ports', { stdout: '["80/tcp","8000-8999/udp","icmp","443"]' })
      .add('resource-get', { stdout: '/var/lib/juju/res/image.tar\n' })
      .add('goal-state', {
        stdout: JSON.stringify({
          units: {
            'myapp/0': { status: 'active', since: '2026-07-01T10:00:00Z' },
            'myapp/1': { status: 'dying', since: '2026-07-01T10:00:00Z' },
          },
          relations: {},
        }),
      })
      .add('credential-get', {
        stdout: JSON.stringify({
          type: 'ec2',
          name: 'aws',
          region: 'us-east-1',
          credential: { 'auth-type': 'access-key', attrs: { 'access-key': 'k' }, redacted: [] },
          'skip-tls-verify': false,
        }),
      })
      .add('juju-reboot');
    const b = backend();
    expect(b.storageList('data')).toEqual([0, 3]);
    expect(b.storageGet('data/3')).toEqual({ kind: 'filesystem', location: '/srv/data' });
    b.storageAdd('data', 2);
    expect(b.networkGet('db', 7).bindAddresses[0]?.addresses[0]).toEqual({
      hostname: '',
      value: '10.1.2.3',
      cidr: '10.1.2.0/24',
    });
    b.networkGet('juju-info');
    b.openPort('tcp', 8080);
    b.closePort('icmp');
    expect(b.openedPorts()).toEqual([
      { protocol: 'tcp', port: 80, toPort: null },
      { protocol: 'udp', port: 8000, toPort: 8999 },
      { protocol: 'icmp', port: null, toPort: null },
      { protocol: 'tcp', port: 443, toPort: null },
    ]);
    expect(b.resourceGet('image')).toBe('/var/lib/juju/res/image.tar');
    expect(Object.keys(b.goalState().units)).toEqual(['myapp/0', 'myapp/1']);
    expect(b.credentialGet()).toMatchObject({
      type: 'ec2',
      region: 'us-east-1',
      credential: { authType: 'access-key', attributes: { 'access-key': 'k' } },
    });
    b.reboot(false);
    expect(
      tools()
        .commandLines()
        .filter((l) => !l.startsWith('juju-log')),
    ).toEqual([
      'storage-list --format=json data',
      'storage-get --format=json -s data/3',
      'storage-add data=2',
      'network-get --format=json -r 7 db',
      'network-get --format=json juju-info',
      'open-port 8080/tcp',
      'close-port icmp',
      'opened-ports --format=json',
      'resource-get image',
      'goal-state --format=json',
      'credential-get --format=json',
      'juju-reboot',
    ]);
  });

  it('juju-reboot --now logs sys_restart first and then exits', () => {
    tools().add('juju-reboot').add('juju-log');
    let exited = false;
    const context = new JujuContext({
      dispatchPath: 'hooks/install',
      hookName: 'install',
      modelName: 'prod',
      modelUuid: 'u',
      unitName: 'myapp/0',
      version: new JujuVersion('3.6.0'),
    });
    const b = new HookToolBackend({ context, env: tools().env, exit: () => (exited = true) });
    b.reboot(true);
    expect(
      tools()
        .calls()
        .map((c) => c.tool),
    ).toEqual(['juju-log', 'juju-reboot']);
    expect(tools().calls()[1]?.argv).toEqual(['--now']);
    expect(JSON.parse(tools().calls()[0]?.argv[3] ?? '')).toMatchObject({
      level: 'WARN',
      event: expect.stringMatching(/^sys_restart:/),
      description: "Rebooting unit 'myapp/0' in model 'prod'",
    });
    expect(exited).toBe(true);
  });
});
