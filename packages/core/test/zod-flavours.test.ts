// Every API that takes a schema accepts classic `zod` and `zod/mini` alike, with the same
// English issue texts whether or not a zod locale is loaded in the process.
import { Model } from '@opsjs/model';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import * as classic from 'zod';
import * as mini from 'zod/mini';
import type { $ZodConfig, $ZodType } from 'zod/v4/core';
import type { Framework } from '../src/framework.js';
import { FrameworkObject } from '../src/framework.js';
import { type ActionEvent, CharmBase, type ConfigChangedEvent } from '../src/index.js';
import { StoredState } from '../src/stored-state.js';
import { loadRelationData, saveRelationData } from '../src/typed-loading.js';
import { context, dispatch, meta } from './helpers/dispatch.js';
import { FakeBackend } from './helpers/fake-backend.js';
import { makeFramework } from './helpers/framework.js';

const Port = {
  classic: classic.object({ port: classic.number().int().min(1024) }),
  mini: mini.object({ port: mini.int().check(mini.minimum(1024)) }),
};
const flavours = ['classic', 'mini'] as const;

let saved: $ZodConfig;
beforeEach(() => {
  // Classic zod loads its English locale on import; zod/mini loads none. Clear it so that
  // these tests see what a charm built on zod/mini alone sees.
  saved = { ...mini.config() };
  mini.config({ localeError: undefined, customError: undefined });
});
afterEach(() => {
  mini.config(saved);
});

class ConfigCharm extends CharmBase {
  static schema: $ZodType<{ port: number }> = Port.mini;
  static loaded: unknown;
  constructor(framework: Framework) {
    super(framework);
    this.observe(this.on.configChanged, this.onConfig);
  }
  onConfig(_event: ConfigChangedEvent): void {
    ConfigCharm.loaded = this.loadConfig(ConfigCharm.schema, { errors: 'blocked' });
  }
}

class ParamsCharm extends CharmBase {
  static schema: $ZodType<{ port: number }> = Port.mini;
  constructor(framework: Framework) {
    super(framework);
    this.observe(this.on.backupAction, this.onBackup);
  }
  onBackup(event: ActionEvent): void {
    event.loadParams(ParamsCharm.schema, { errors: 'fail' });
  }
}

function relationSetup() {
  const backend = new FakeBackend();
  backend.relations = [
    { endpoint: 'db', id: 7, remoteApp: 'pg', units: [], data: { pg: { port: '80' } } },
  ];
  const model = new Model({ meta: meta(), backend, context: context('hooks/update-status') });
  const relation = model.getRelation('db');
  if (relation === null) throw new Error('no relation');
  return { backend, model, relation };
}

describe.each(flavours)('a %s zod schema', (flavour) => {
  const schema = Port[flavour];

  it('validates config in loadConfig, with English texts', async () => {
    ConfigCharm.schema = schema;
    const backend = new FakeBackend();
    backend.config = { port: 8080 };
    await dispatch(ConfigCharm, 'hooks/config-changed', { backend });
    expect(ConfigCharm.loaded).toEqual({ port: 8080 });
    backend.config = { port: 80 };
    await dispatch(ConfigCharm, 'hooks/config-changed', { backend });
    expect(backend.unitStatus).toEqual({
      status: 'blocked',
      message: 'Invalid config: port: Too small: expected number to be >=1024',
    });
  });

  it('validates action parameters in loadParams', async () => {
    ParamsCharm.schema = schema;
    const backend = new FakeBackend();
    backend.actionParams = { port: 'x' };
    const run = await dispatch(ParamsCharm, 'actions/backup', {
      backend,
      fields: { actionName: 'backup', actionUuid: '1' },
    });
    expect(run.exitCode).toBe(0);
    expect(backend.actionFailed).toBe(
      'Error in action parameters: port: Invalid input: expected number, received string',
    );
  });

  it('validates relation data in loadRelationData and saveRelationData', () => {
    const { model, relation } = relationSetup();
    expect(() => loadRelationData(relation, schema, model.getApp('pg'))).toThrow(
      'port: Too small: expected number to be >=1024',
    );
    expect(() => saveRelationData(relation, { port: 1 }, model.unit, { schema })).toThrow(
      'port: Too small: expected number to be >=1024',
    );
    saveRelationData(relation, { port: 5432 }, model.unit, { schema });
    expect(relation.data.get(model.unit).get('port')).toBe('5432');
  });

  it('validates stored state', () => {
    const p = makeFramework();
    const path = 'Owner[o]/StoredStateData[state]';
    p.store.saveSnapshot(path, { port: 'x' });
    class Owner extends FrameworkObject {}
    const state = new StoredState(new Owner(p.framework, 'o'), 'state', { port: 0 }, { schema });
    expect(() => state.data).toThrow(
      `${path}: stored data does not match the schema (written by an older version of the ` +
        'charm?): port: Invalid input: expected number, received string; pass a migrate function',
    );
  });

  it("keeps the charm's own zod locale or error map", () => {
    mini.config({ customError: (issue) => `nope (${issue.code})` });
    const { model, relation } = relationSetup();
    expect(() => loadRelationData(relation, schema, model.getApp('pg'))).toThrow(
      'port: nope (too_small)',
    );
  });
});
