import { describe, expect, it } from 'vitest';
import { APIError } from '../src/errors.js';
import { setup } from './helpers/setup.js';

describe('notices', () => {
  it('records custom notices and reads them back', async () => {
    const { client } = await setup();
    const id = await client.notify('example.com/db/backup-done', { path: '/tmp/db.sql' });
    const notice = await client.getNotice(id);
    expect(notice).toMatchObject({
      id,
      type: 'custom',
      key: 'example.com/db/backup-done',
      occurrences: 1,
      lastData: { path: '/tmp/db.sql' },
      expireAfter: '168h0m0s',
      userId: process.getuid?.() ?? 0,
    });
    expect(notice.firstOccurred).toBeInstanceOf(Date);
    expect(await client.notify('example.com/db/backup-done')).toBe(id);
    const again = await client.getNotice(id);
    expect(again.occurrences).toBe(2);
    expect(again.lastData).toEqual({});
    await client.notify('example.com/other', undefined, 60_000);
    expect((await client.getNotices({ keys: ['example.com/other'] }))[0]?.repeatAfter).toBe('1m0s');
  });

  it('rejects bad user filters with Pebble texts, user-id checked first', async () => {
    const { client } = await setup();
    const message = (filter: Parameters<typeof client.getNotices>[0]) =>
      client.getNotices(filter).then(
        () => '',
        (e: unknown) => (e as APIError).apiMessage,
      );
    expect(await message({ userId: -1 })).toBe(
      'invalid "user-id" filter: user ID is not a valid uint32: -1',
    );
    expect(await message({ userId: 1.5 })).toBe(
      'invalid "user-id" filter: strconv.ParseInt: parsing "1.5": invalid syntax',
    );
    expect(await message({ users: 'all', userId: 0 })).toBe(
      'cannot use both "users" and "user-id" parameters',
    );
    expect(await message({ users: 'all' })).toBe('');
  });

  it('parses after as Go parses RFC 3339, with Go error texts', async () => {
    const { client } = await setup();
    const message = (after: string) =>
      client.getNotices({ after }).then(
        () => '',
        (e: unknown) => (e as APIError).apiMessage,
      );
    expect(await message('2026-01-02')).toBe(
      'invalid "after" timestamp: parsing time "2026-01-02" as "2006-01-02T15:04:05Z07:00": cannot parse "" as "T"',
    );
    expect(await message('2026/01/02T00:00:00Z')).toBe(
      'invalid "after" timestamp: parsing time "2026/01/02T00:00:00Z" as "2006-01-02T15:04:05Z07:00": cannot parse "/01/02T00:00:00Z" as "-"',
    );
    expect(await message('2026-02-30T00:00:00Z')).toBe(
      'invalid "after" timestamp: parsing time "2026-02-30T00:00:00Z": day out of range',
    );
    expect(await message('2026-01-02T00:00:00Zx')).toBe(
      'invalid "after" timestamp: parsing time "2026-01-02T00:00:00Zx": extra text: "x"',
    );
    expect(await message('2026-01-02T03:04:05.123456789+02:00')).toBe('');
  });

  it('filters by type and key; the daemon records change-update notices', async () => {
    const { client } = await setup();
    await client.addLayer('l', { services: { a: { override: 'replace', command: 'a' } } });
    const change = await client.startServices(['a']);
    await client.notify('example.com/x');
    const updates = await client.getNotices({ types: ['change-update'] });
    expect(updates.map((n) => n.key)).toContain(change);
    expect(updates.find((n) => n.key === change)?.lastData).toEqual({ kind: 'start' });
    expect((await client.getNotices({ types: ['custom'] })).map((n) => n.key)).toEqual([
      'example.com/x',
    ]);
    expect(await client.getNotices({ types: ['no-such-type'] })).toEqual([]);
    const all = await client.getNotices({ users: 'all' });
    expect(all.length).toBeGreaterThan(1);
  });

  it('long-polls with after and timeout', async () => {
    const { server, client } = await setup();
    const first = await client.getNotice(await client.notify('example.com/a'));
    expect(
      await client.getNotices({ types: ['custom'], after: first.lastRepeatedText, timeoutMs: 1 }),
    ).toEqual([]);
    const waiting = client.getNotices({
      types: ['custom'],
      after: first.lastRepeated,
      timeoutMs: 30_000,
    });
    server.addNotice({ key: 'example.com/b', data: { n: '1' } });
    const got = await waiting;
    expect(got.map((n) => n.key)).toEqual(['example.com/b']);
  });

  it('rejects invalid keys, oversized data and unknown notices', async () => {
    const { client } = await setup();
    const bad = await client.notify('Not A Key').catch((e: unknown) => e);
    expect(bad).toBeInstanceOf(APIError);
    expect((bad as APIError).apiMessage).toBe(
      'invalid key "Not A Key" (must be in "example.com/path" format)',
    );
    await expect(
      client.notify('example.com/big', { blob: 'x'.repeat(10 * 1024 * 1024) }),
    ).rejects.toMatchObject({
      status: 400,
      apiMessage: 'total size of data must be 4096 bytes or less',
    });
    await expect(client.getNotice('999')).rejects.toMatchObject({
      status: 404,
      apiMessage: 'cannot find notice with ID "999"',
    });
  });
});
