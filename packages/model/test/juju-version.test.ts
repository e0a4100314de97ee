import { describe, expect, it } from 'vitest';
import { JujuVersionError } from '../src/errors.js';
import { JujuVersion } from '../src/juju-version.js';

describe('JujuVersion', () => {
  it('parses every form ops accepts', () => {
    expect(new JujuVersion('3.6.4')).toMatchObject({
      major: 3,
      minor: 6,
      patch: 4,
      tag: '',
      build: 0,
    });
    expect(new JujuVersion('2.9-beta1')).toMatchObject({
      major: 2,
      minor: 9,
      tag: 'beta',
      patch: 1,
    });
    expect(new JujuVersion('3.6.14.1').build).toBe(1);
    expect(new JujuVersion('3.6').toString()).toBe('3.6.0');
    expect(new JujuVersion('2.9-beta1').toString()).toBe('2.9-beta1');
    expect(new JujuVersion('3.6.14.1').toString()).toBe('3.6.14.1');
  });

  it('rejects invalid strings', () => {
    expect(() => new JujuVersion('3')).toThrow(JujuVersionError);
    expect(() => new JujuVersion('')).toThrow('"" is not a valid Juju version string');
    expect(() => new JujuVersion('3.6.x')).toThrow(JujuVersionError);
  });

  it('orders versions, tags before the release', () => {
    const v = new JujuVersion('3.6.4');
    expect(v.isAtLeast('3.6')).toBe(true);
    expect(v.isLessThan('3.6.10')).toBe(true);
    expect(v.equals('3.6.4.0')).toBe(true);
    expect(new JujuVersion('3.1-beta2').isLessThan('3.1.0')).toBe(true);
    expect(new JujuVersion('3.1-alpha9').isLessThan('3.1-beta1')).toBe(true);
    expect(new JujuVersion('3.6.4.2').compare('3.6.4.1')).toBeGreaterThan(0);
    expect(new JujuVersion('4.0.0').compare(new JujuVersion('3.9.9'))).toBeGreaterThan(0);
  });

  it('reports capabilities', () => {
    expect(new JujuVersion('2.7.0').hasAppData).toBe(true);
    expect(new JujuVersion('2.6.9').hasAppData).toBe(false);
    expect(new JujuVersion('2.8.0').isDispatchAware).toBe(true);
    expect(new JujuVersion('2.8.0').hasControllerStorage).toBe(true);
    expect(new JujuVersion('3.0.2').hasSecrets).toBe(false);
    expect(new JujuVersion('3.0.3').hasSecrets).toBe(true);
    expect(new JujuVersion('3.0.3').supportsOpenPortOnK8s).toBe(true);
    expect(new JujuVersion('3.1.6').supportsExecServiceContext).toBe(true);
    expect(new JujuVersion('3.2.0').supportsExecServiceContext).toBe(false);
    expect(new JujuVersion('3.2.1').supportsExecServiceContext).toBe(true);
    expect(new JujuVersion('3.1.5').supportsExecServiceContext).toBe(false);
    expect(new JujuVersion('3.4.0').supportsPebbleLogForwarding).toBe(true);
    expect(new JujuVersion('3.6.3').supportsPebbleIdentities).toBe(false);
    expect(new JujuVersion('3.6.4').supportsPebbleMetrics).toBe(true);
    // Gates ignore the tag, as ops does.
    expect(new JujuVersion('3.0-beta3').hasSecrets).toBe(true);
  });
});
