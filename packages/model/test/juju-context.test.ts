import { describe, expect, it } from 'vitest';
import { JujuContextError } from '../src/errors.js';
import { JujuContext } from '../src/juju-context.js';

const base = {
  JUJU_DISPATCH_PATH: 'hooks/db-relation-departed',
  JUJU_HOOK_NAME: 'db-relation-departed',
  JUJU_MODEL_NAME: 'prod',
  JUJU_MODEL_UUID: 'cdac5656-2423-4388-8f30-41854b4cca7d',
  JUJU_UNIT_NAME: 'myapp/0',
  JUJU_VERSION: '3.6.4',
  JUJU_RELATION: 'db',
  JUJU_RELATION_ID: 'db:7',
  JUJU_REMOTE_APP: 'pg',
  JUJU_REMOTE_UNIT: 'pg/1',
  JUJU_DEPARTING_UNIT: 'pg/1',
};

describe('JujuContext.fromEnv', () => {
  it('parses every variable ops reads', () => {
    const ctx = JujuContext.fromEnv({
      ...base,
      JUJU_CHARM_DIR: '/charm',
      JUJU_AVAILABILITY_ZONE: '',
      JUJU_MACHINE_ID: '3',
      JUJU_DEBUG: '',
      JUJU_DEBUG_AT: 'all, hook',
      JUJU_STORAGE_ID: 'data/12',
      JUJU_SECRET_REVISION: '3',
      JUJU_SECRET_ID: 'secret:abc',
      JUJU_WORKLOAD_NAME: 'web',
      JUJU_NOTICE_ID: '42',
      JUJU_NOTICE_TYPE: 'custom',
      JUJU_NOTICE_KEY: 'example.com/x',
      JUJU_PEBBLE_CHECK_NAME: 'alive',
      JUJU_ACTION_NAME: 'backup',
      JUJU_ACTION_UUID: '12',
      JUJU_PRINCIPAL_UNIT: 'wp/1',
      JUJU_CONTEXT_ID: 'web/0-install-1',
      JUJU_AGENT_SOCKET_ADDRESS: '@/var/lib/juju/agents/unit-web-0/agent.socket',
      JUJU_AGENT_SOCKET_NETWORK: 'unix',
      JUJU_API_ADDRESSES: '10.0.0.2:17070 10.0.0.3:17070',
      CLOUD_API_VERSION: '1.28.0',
      JUJU_CHARM_HTTP_PROXY: 'http://proxy:3128',
      JUJU_CHARM_NO_PROXY: '127.0.0.1,localhost',
      JUJU_ACTION_TAG: 'action-12',
      JUJU_STORAGE_LOCATION: '/srv/data',
      JUJU_STORAGE_KIND: 'filesystem',
      JUJU_TRACE_ID: 't',
    });
    expect(ctx).toMatchObject({
      dispatchPath: 'hooks/db-relation-departed',
      unitName: 'myapp/0',
      appName: 'myapp',
      modelName: 'prod',
      charmDir: '/charm',
      availabilityZone: undefined,
      machineId: '3',
      debug: true,
      relationName: 'db',
      relationId: 7,
      remoteAppName: 'pg',
      remoteUnitName: 'pg/1',
      relationDepartingUnitName: 'pg/1',
      storageName: 'data',
      storageIndex: 12,
      secretId: 'secret:abc',
      secretRevision: 3,
      workloadName: 'web',
      noticeId: '42',
      noticeType: 'custom',
      noticeKey: 'example.com/x',
      pebbleCheckName: 'alive',
      actionName: 'backup',
      actionUuid: '12',
      principalUnit: 'wp/1',
      isAction: false,
      contextId: 'web/0-install-1',
      agentSocketNetwork: 'unix',
      apiAddresses: ['10.0.0.2:17070', '10.0.0.3:17070'],
      cloudApiVersion: '1.28.0',
      charmHttpProxy: 'http://proxy:3128',
      charmHttpsProxy: undefined,
      charmNoProxy: '127.0.0.1,localhost',
      actionTag: 'action-12',
      storageLocation: '/srv/data',
      storageKind: 'filesystem',
      traceId: 't',
    });
    expect([...ctx.debugAt]).toEqual(['all', 'hook']);
    expect(ctx.version.toString()).toBe('3.6.4');
  });

  it('requires the variables ops requires, per hook kind', () => {
    const without = (name: string, env: Record<string, string> = base) => {
      const copy: Record<string, string> = { ...env };
      delete copy[name];
      return copy;
    };
    expect(() => JujuContext.fromEnv(without('JUJU_UNIT_NAME'))).toThrow(
      new JujuContextError(
        'JUJU_UNIT_NAME',
        'Missing required environment variable: JUJU_UNIT_NAME',
      ),
    );
    expect(() => JujuContext.fromEnv(without('JUJU_DEPARTING_UNIT'))).toThrow(
      /JUJU_DEPARTING_UNIT/,
    );
    const secret = {
      ...without('JUJU_RELATION'),
      JUJU_HOOK_NAME: 'secret-remove',
      JUJU_SECRET_ID: 's',
    };
    expect(() => JujuContext.fromEnv(secret)).toThrow(/JUJU_SECRET_REVISION/);
    const action = { ...base, JUJU_HOOK_NAME: '', JUJU_DISPATCH_PATH: 'actions/backup' };
    expect(() => JujuContext.fromEnv(action)).toThrow(/JUJU_ACTION_NAME/);
    const ready = { ...base, JUJU_HOOK_NAME: 'web-pebble-ready' };
    expect(() => JujuContext.fromEnv(ready)).toThrow(/JUJU_WORKLOAD_NAME/);
    const storage = { ...base, JUJU_HOOK_NAME: 'data-storage-attached' };
    expect(() => JujuContext.fromEnv(storage)).toThrow(/JUJU_STORAGE_ID/);
    // Non-strict: absent becomes empty, and JUJU_VERSION defaults to 0.0.0.
    const lax = JujuContext.fromEnv({}, { strict: false });
    expect(lax.unitName).toBe('');
    expect(lax.version.toString()).toBe('0.0.0');
  });

  it('reads process.env itself', () => {
    expect(JujuContext.fromEnv(process.env, { strict: false })).toBeInstanceOf(JujuContext);
  });

  it('rejects malformed values', () => {
    expect(() => JujuContext.fromEnv({ ...base, JUJU_RELATION_ID: 'db:x' })).toThrow(
      'JUJU_RELATION_ID: expected an integer, got "x"',
    );
    expect(() => JujuContext.fromEnv({ ...base, JUJU_VERSION: '' })).toThrow(
      /JUJU_VERSION: "" is not a valid Juju version string/,
    );
    expect(() =>
      JujuContext.fromEnv({ ...base, JUJU_STORAGE_ID: 'data/' }, { strict: false }),
    ).toThrow('JUJU_STORAGE_ID: expected an integer, got ""');
  });
});
