import { afterEach, beforeEach } from 'vitest';
import { HookToolBackend } from '../../src/backend/hook-tool-backend.js';
import { JujuContext } from '../../src/juju-context.js';
import { JujuVersion } from '../../src/juju-version.js';
import { FakeTools } from './fake-tools.js';

/** Fake tools for each test of the calling file, and a backend that uses them. */
export function useFakeTools(): {
  tools: () => FakeTools;
  backend: (
    version?: string,
    extra?: { now?: () => number; timeoutMs?: number },
  ) => HookToolBackend;
} {
  let tools: FakeTools | undefined;
  beforeEach(() => {
    tools = new FakeTools();
  });
  afterEach(() => {
    tools?.cleanup();
  });
  const current = (): FakeTools => {
    if (tools === undefined) throw new Error('useFakeTools: no test is running');
    return tools;
  };
  return {
    tools: current,
    backend: (version = '3.6.4', extra = {}) => {
      const context = new JujuContext({
        dispatchPath: 'hooks/config-changed',
        hookName: 'config-changed',
        modelName: 'prod',
        modelUuid: 'uuid-1',
        unitName: 'myapp/0',
        version: new JujuVersion(version),
      });
      return new HookToolBackend({ context, env: current().env, ...extra });
    },
  };
}
