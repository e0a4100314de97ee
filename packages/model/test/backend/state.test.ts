import { describe, expect, it } from 'vitest';
import { useFakeTools } from '../helpers/backend-setup.js';

const { tools, backend } = useFakeTools();

describe('controller state', () => {
  it('state-get/set/delete', () => {
    tools()
      .add('state-get', { stdout: '' })
      .add('state-get', { whenArgs: ['k'], stdout: '{a: 1}\n' })
      .add('state-set')
      .add('state-delete');
    const b = backend();
    expect(b.stateGet('k')).toBe('{a: 1}\n');
    expect(b.stateGet('missing')).toBeNull();
    b.stateSet({ k: '{a: 1}' });
    b.stateDelete('k');
    expect(tools().commandLines()).toEqual([
      'state-get k',
      'state-get missing',
      'state-set --file -',
      'state-delete k',
    ]);
    expect(tools().calls()[2]?.stdin).toBe('k: "{a: 1}"');
  });
});
