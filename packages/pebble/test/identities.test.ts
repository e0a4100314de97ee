import { describe, expect, it } from 'vitest';
import { setup } from './helpers/setup.js';

describe('identities', () => {
  it('replaces, reads (masked) and removes identities', async () => {
    const { server, client } = await setup();
    expect(await client.getIdentities()).toEqual({});
    await client.replaceIdentities({
      alice: { access: 'admin', local: { userId: 1000 } },
      prom: { access: 'metrics', basic: { password: '$6$salt$hash' } },
    });
    expect(await client.getIdentities()).toEqual({
      alice: { access: 'admin', local: { userId: 1000 }, basic: undefined, cert: undefined },
      prom: { access: 'metrics', local: undefined, basic: { password: '*****' }, cert: undefined },
    });
    expect(server.identities).toMatchObject({ prom: { basic: { password: '$6$salt$hash' } } });
    await client.replaceIdentities({
      alice: null,
      bob: { access: 'read', local: { userId: 1001 } },
    });
    expect(Object.keys(await client.getIdentities())).toEqual(['bob', 'prom']);
    await client.removeIdentities(['bob']);
    expect(Object.keys(await client.getIdentities())).toEqual(['prom']);
  });

  it('reports invalid identities as APIError', async () => {
    const { client } = await setup();
    await expect(client.removeIdentities(['ghost'])).rejects.toMatchObject({
      status: 400,
      apiMessage: 'identities do not exist: ghost',
    });
    await expect(
      client.replaceIdentities({
        a: { access: 'read', local: { userId: 5 } },
        b: { access: 'read', local: { userId: 5 } },
      }),
    ).rejects.toMatchObject({
      apiMessage: 'cannot have multiple identities with user ID 5 (a, b)',
    });
    await expect(client.replaceIdentities({ c: { access: 'root' } })).rejects.toMatchObject({
      status: 400,
    });
  });
});
