import { describe, expect, it } from 'vitest';
import { formatGoDuration, formatSeconds, parseDuration } from '../src/duration.js';
import {
  changeSchema,
  checkInfoSchema,
  fileInfoSchema,
  noticeSchema,
  serviceInfoSchema,
} from '../src/schemas.js';

describe('result types', () => {
  it('keep unknown enum values as strings', () => {
    const service = serviceInfoSchema().parse({
      name: 'a',
      startup: 'enabled',
      current: 'backoff',
    });
    expect(service.current).toBe('backoff');
    const change = changeSchema().parse({
      id: '1',
      kind: 'future-kind',
      summary: 's',
      status: 'Mystery',
      ready: false,
      'spawn-time': '2025-06-01T10:00:00.123456789+02:00',
    });
    expect(change.status).toBe('Mystery');
    expect(change.tasks).toEqual([]);
    expect(change.spawnTime.toISOString()).toBe('2025-06-01T08:00:00.123Z');
  });

  it('tolerate null lists and ignore unknown fields', () => {
    const change = changeSchema().parse({
      id: '1',
      kind: 'k',
      summary: 's',
      status: 'Done',
      ready: true,
      tasks: null,
      'spawn-time': '2025-06-01T10:00:00Z',
      extra: { new: 'field' },
    });
    expect(change.tasks).toEqual([]);
    expect(change).not.toHaveProperty('extra');
  });

  it('treat a check reporting startup without a change ID as inactive (as ops)', () => {
    const check = checkInfoSchema().parse({
      name: 'c',
      startup: 'enabled',
      status: 'up',
      threshold: 3,
    });
    expect(check.status).toBe('inactive');
    const old = checkInfoSchema().parse({ name: 'c', status: 'up', threshold: 3 });
    expect(old).toMatchObject({ status: 'up', startup: 'enabled', successes: 0, failures: 0 });
  });

  it('parse file permissions from octal strings and notices with public user', () => {
    const file = fileInfoSchema().parse({
      path: '/a',
      name: 'a',
      type: 'file',
      permissions: '640',
      'last-modified': '2025-06-01T10:00:00Z',
      'user-id': 0,
      user: 'root',
      'group-id': 0,
      group: 'root',
    });
    expect(file.permissions).toBe(0o640);
    expect(() => fileInfoSchema().parse({ ...file, permissions: 'rw-' })).toThrow();
    const notice = noticeSchema().parse({
      id: '1',
      'user-id': null,
      type: 'warning',
      key: 'disk full',
      'first-occurred': '2025-06-01T10:00:00Z',
      'last-occurred': '2025-06-01T10:00:00Z',
      'last-repeated': '2025-06-01T10:00:00.123456789Z',
      occurrences: 1,
    });
    expect(notice.userId).toBeUndefined();
    expect(notice.lastRepeatedText).toBe('2025-06-01T10:00:00.123456789Z');
  });
});

describe('Go durations', () => {
  it('parse and format as Pebble does', () => {
    expect(parseDuration('1m30s')).toBe(90_000);
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('1.5h')).toBe(5_400_000);
    expect(parseDuration('10')).toBeUndefined();
    expect(formatGoDuration(604_800_000)).toBe('168h0m0s');
    expect(formatGoDuration(90_000)).toBe('1m30s');
    expect(formatGoDuration(500)).toBe('500ms');
    expect(formatSeconds(1500)).toBe('1.500s');
  });
});
