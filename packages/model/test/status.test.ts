import { describe, expect, it } from 'vitest';
import { InvalidStatusError } from '../src/errors.js';
import {
  ActiveStatus,
  BlockedStatus,
  ErrorStatus,
  isSettableStatusName,
  MaintenanceStatus,
  StatusBase,
  statusPriority,
  UnknownStatus,
  WaitingStatus,
} from '../src/status.js';

describe('statuses', () => {
  it('build from names and compare by name and message', () => {
    expect(StatusBase.fromName('active', 'ok')).toEqual(new ActiveStatus('ok'));
    expect(StatusBase.fromName('blocked', 'x')).toBeInstanceOf(BlockedStatus);
    expect(StatusBase.fromName('maintenance')).toBeInstanceOf(MaintenanceStatus);
    expect(StatusBase.fromName('waiting')).toBeInstanceOf(WaitingStatus);
    expect(StatusBase.fromName('error', 'hook failed')).toBeInstanceOf(ErrorStatus);
    expect(StatusBase.fromName('unknown', 'ignored').message).toBe('');
    expect(() => StatusBase.fromName('sleepy')).toThrow(
      new InvalidStatusError('Unknown status "sleepy"'),
    );
    expect(new ActiveStatus('a').equals(new ActiveStatus('a'))).toBe(true);
    expect(new ActiveStatus('a').equals(new ActiveStatus('b'))).toBe(false);
    expect(new ActiveStatus('a').equals(new WaitingStatus('a'))).toBe(false);
    expect(String(new BlockedStatus('needs db'))).toBe('blocked: needs db');
    expect(String(new ActiveStatus())).toBe('active');
  });

  it('know which can be set and their collect-status priority', () => {
    expect(['active', 'blocked', 'maintenance', 'waiting'].every(isSettableStatusName)).toBe(true);
    expect(isSettableStatusName('error')).toBe(false);
    expect(isSettableStatusName('unknown')).toBe(false);
    const order = [
      new ErrorStatus(),
      new BlockedStatus(),
      new MaintenanceStatus(),
      new WaitingStatus(),
      new ActiveStatus(),
      new UnknownStatus(),
    ].map(statusPriority);
    expect(order).toEqual([5, 4, 3, 2, 1, 0]);
  });
});
