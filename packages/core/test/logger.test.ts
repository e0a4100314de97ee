import { describe, expect, it } from 'vitest';
import { formatError, Logger } from '../src/logger.js';

describe('Logger', () => {
  it('sends records at or above its level to every sink', () => {
    const logger = new Logger();
    const a: string[] = [];
    const b: string[] = [];
    logger.addSink((level, message) => a.push(`${level} ${message}`));
    const remove = logger.addSink((level, message) => b.push(`${level} ${message}`));
    logger.trace('t');
    logger.debug('d');
    logger.info('i');
    remove();
    logger.level = 'WARNING';
    logger.info('dropped');
    logger.warning('w');
    logger.critical('c');
    expect(a).toEqual(['DEBUG d', 'INFO i', 'WARNING w', 'CRITICAL c']);
    expect(b).toEqual(['DEBUG d', 'INFO i']);
  });

  it('never logs redacted values', () => {
    const logger = new Logger();
    const out: string[] = [];
    logger.addSink((_level, message) => out.push(message));
    logger.redact('s3cr3t-password');
    logger.redact('ab'); // too short to redact safely
    logger.info('connecting with s3cr3t-password to ab');
    expect(out).toEqual(['connecting with <redacted> to ab']);
    expect(logger.scrub('x s3cr3t-password')).toBe('x <redacted>');
  });

  it('appends the stack and causes of an error', () => {
    const logger = new Logger();
    const out: string[] = [];
    logger.addSink((_level, message) => out.push(message));
    logger.error('failed:', new Error('outer', { cause: new Error('inner') }));
    expect(out[0]).toMatch(/^failed:\nError: outer\n\s+at [\s\S]*Caused by:\nError: inner/);
    expect(formatError('plain')).toBe('plain');
  });
});
