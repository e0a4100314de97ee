import { PebbleClient, PebbleError } from '@opsjs/pebble';
import { FakePebbleServer } from '@opsjs/pebble/fake';
import { describe, expect, it } from 'vitest';
import { PebbleError as SourceCopy } from '../src/errors.js';

describe('@opsjs/pebble public entry point', () => {
  it('resolves through exports to the built package', async () => {
    const resolved = import.meta.resolve('@opsjs/pebble');
    expect(resolved).toMatch(/\/dist\/index\.js$/);
    expect(import.meta.resolve('@opsjs/pebble/fake')).toMatch(/\/dist\/fake\/index\.js$/);
    const api = await import('@opsjs/pebble');
    for (const name of [
      'APIError',
      'ChangeError',
      'ConnectionError',
      'ExecError',
      'ExecProcess',
      'ExecTimeoutError',
      'LayerError',
      'PathError',
      'PebbleClient',
      'PebbleError',
      'ProtocolError',
      'TimeoutError',
      'isRunning',
      'layerToDict',
      'layerToYaml',
      'parseLayer',
    ]) {
      expect(api).toHaveProperty(name);
    }
  });

  it('the built client talks to the built fake server', async () => {
    const server = await FakePebbleServer.start();
    const client = new PebbleClient({ socketPath: server.socketPath });
    expect((await client.getSystemInfo()).version).toBe('v1.32.1');
    await client.close();
    await server.close();
  });

  it('shares error identity with another copy of the package', () => {
    // The built entry point and the source module are two distinct copies of the class,
    // as two installed versions of the package would be.
    expect(SourceCopy).not.toBe(PebbleError);
    expect(new SourceCopy('from the source copy') instanceof PebbleError).toBe(true);
    expect(new PebbleError('from the built copy') instanceof SourceCopy).toBe(true);
  });
});
