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
    b.stateSet({ 'StoredStateData[_stored]': '{event_count: 3}\n' });
    b.stateDelete('k');
    expect(tools().commandLines()).toEqual([
      'state-get k',
      'state-get missing',
      'state-set --file -',
      'state-set --file -',
      'state-delete k',
    ]);
    // As ops' yaml.dump(..., default_style='|'): quoted key, literal block value (the fake
    // tool's `$(cat)` drops the final newline of what it read).
    expect(tools().calls()[2]?.stdin).toBe('"k": |-\n  {a: 1}');
    expect(tools().calls()[3]?.stdin).toBe('"StoredStateData[_stored]": |\n  {event_count: 3}');
  });
});
