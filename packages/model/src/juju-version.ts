import { JujuVersionError } from './errors.js';

const VERSION_RE = /^(\d{1,9})\.(\d{1,9})(?:(?:\.|-([a-z]+))(\d{1,9}))?(?:\.(\d{1,9}))?$/;

/**
 * A Juju version (`JUJU_VERSION`), comparable with other versions and with version strings.
 *
 * Parses `major.minor[.patch | -<tag><patch>][.build]`, e.g. `3.6.4`, `2.9-beta1`, `3.6.14.1`.
 * Ordering: major, minor, then tag (an untagged release sorts after any tag of the same
 * minor), patch, build.
 *
 * @example
 * ```ts
 * const v = new JujuVersion('3.6.4');
 * v.isAtLeast('3.6');   // true
 * v.hasSecrets;          // true
 * ```
 */
export class JujuVersion {
  /** Major version number. */
  readonly major: number;
  /** Minor version number. */
  readonly minor: number;
  /** Pre-release tag such as `beta`, or `''`. */
  readonly tag: string;
  /** Patch number (0 when absent). */
  readonly patch: number;
  /** Build number (0 when absent). */
  readonly build: number;

  /**
   * @param version - The version string.
   * @throws {JujuVersionError} If the string is not a valid Juju version.
   */
  constructor(version: string) {
    const m = VERSION_RE.exec(version);
    if (m === null) {
      throw new JujuVersionError(`"${version}" is not a valid Juju version string`);
    }
    this.major = Number(m[1]);
    this.minor = Number(m[2]);
    this.tag = m[3] ?? '';
    this.patch = Number(m[4] ?? 0);
    this.build = Number(m[5] ?? 0);
  }

  /** The canonical text form, e.g. `3.6.4`, `2.9-beta1`, `3.6.14.1`. */
  toString(): string {
    let s = this.tag
      ? `${this.major}.${this.minor}-${this.tag}${this.patch}`
      : `${this.major}.${this.minor}.${this.patch}`;
    if (this.build > 0) s += `.${this.build}`;
    return s;
  }

  /**
   * Compare with another version.
   *
   * @returns a negative number if this is older, 0 if equal, positive if newer.
   * @throws {JujuVersionError} If `other` is a string that is not a valid version.
   */
  compare(other: JujuVersion | string): number {
    const o = typeof other === 'string' ? new JujuVersion(other) : other;
    if (this.major !== o.major) return this.major - o.major;
    if (this.minor !== o.minor) return this.minor - o.minor;
    if (this.tag !== o.tag) {
      if (!this.tag) return 1;
      if (!o.tag) return -1;
      return this.tag < o.tag ? -1 : 1;
    }
    if (this.patch !== o.patch) return this.patch - o.patch;
    return this.build - o.build;
  }

  /** Whether this version equals `other` (tag and build included). */
  equals(other: JujuVersion | string): boolean {
    return this.compare(other) === 0;
  }

  /** Whether this version is older than `other`. */
  isLessThan(other: JujuVersion | string): boolean {
    return this.compare(other) < 0;
  }

  /** Whether this version is `other` or newer. */
  isAtLeast(other: JujuVersion | string): boolean {
    return this.compare(other) >= 0;
  }

  private atLeast(major: number, minor: number, patch: number): boolean {
    if (this.major !== major) return this.major > major;
    if (this.minor !== minor) return this.minor > minor;
    return this.patch >= patch;
  }

  /** Whether application relation data is supported (Juju >= 2.7.0). */
  get hasAppData(): boolean {
    return this.atLeast(2, 7, 0);
  }

  /** Whether Juju runs `dispatch` (Juju >= 2.8.0). */
  get isDispatchAware(): boolean {
    return this.atLeast(2, 8, 0);
  }

  /** Whether controller-side state (`state-get`/`state-set`) exists (Juju >= 2.8.0). */
  get hasControllerStorage(): boolean {
    return this.atLeast(2, 8, 0);
  }

  /** Whether charm secrets are supported (Juju >= 3.0.3). */
  get hasSecrets(): boolean {
    return this.atLeast(3, 0, 3);
  }

  /** Whether `open-port` works on Kubernetes (Juju >= 3.0.3). */
  get supportsOpenPortOnK8s(): boolean {
    return this.atLeast(3, 0, 3);
  }

  /** Whether Pebble exec's service context is supported (Juju >= 3.1.6, except 3.2.0). */
  get supportsExecServiceContext(): boolean {
    if (!this.atLeast(3, 1, 6)) return false;
    return !(this.major === 3 && this.minor === 2 && this.patch === 0);
  }

  /** Whether the Pebble shipped with this Juju forwards logs (Juju >= 3.4.0). */
  get supportsPebbleLogForwarding(): boolean {
    return this.atLeast(3, 4, 0);
  }

  /** Whether the Pebble shipped with this Juju has identities (Juju >= 3.6.4). */
  get supportsPebbleIdentities(): boolean {
    return this.atLeast(3, 6, 4);
  }

  /** Whether the Pebble shipped with this Juju serves metrics (Juju >= 3.6.4). */
  get supportsPebbleMetrics(): boolean {
    return this.atLeast(3, 6, 4);
  }
}
