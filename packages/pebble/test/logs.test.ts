import { describe, expect, it } from 'vitest';
import type { LogEntry } from '../src/schemas.js';
import { setup } from './helpers/setup.js';

describe('logs', () => {
  it('gets the last n lines of the chosen services', async () => {
    const { server, client } = await setup();
    await client.addLayer('l', {
      services: {
        a: { override: 'replace', command: 'a' },
        b: { override: 'replace', command: 'b' },
      },
    });
    for (let i = 0; i < 40; i++) server.addLog(i % 2 === 0 ? 'a' : 'b', `line ${i}`);
    const last = await client.getLogs();
    expect(last).toHaveLength(30);
    expect(last.at(-1)).toMatchObject({ service: 'b', message: 'line 39' });
    expect(last[0]?.time).toBeInstanceOf(Date);
    expect((await client.getLogs({ services: ['a'], n: 2 })).map((l) => l.message)).toEqual([
      'line 36',
      'line 38',
    ]);
    expect(await client.getLogs({ n: -1 })).toHaveLength(40);
    await expect(client.getLogs({ n: -5 })).rejects.toMatchObject({
      status: 400,
      apiMessage: 'n must be -1, 0, or a positive integer',
    });
  });

  it('follows new lines until aborted', async () => {
    const { server, client } = await setup();
    await client.addLayer('l', { services: { a: { override: 'replace', command: 'a' } } });
    server.addLog('a', 'old');
    const controller = new AbortController();
    const seen: LogEntry[] = [];
    const following = (async () => {
      for await (const entry of client.followLogs({
        services: ['a'],
        n: 1,
        signal: controller.signal,
      })) {
        seen.push(entry);
        if (seen.length === 1) server.addLog('a', 'new');
        if (seen.length === 2) controller.abort();
      }
    })();
    await following;
    expect(seen.map((e) => e.message)).toEqual(['old', 'new']);
  });
});
