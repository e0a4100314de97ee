/**
 * Base class of every error the charm framework throws.
 *
 * Each error class has a stable literal `code`; prefer `err.code` to `instanceof` when
 * comparing across versions. `instanceof` also works across two installed copies of this
 * package (a charm library may bring its own): instances carry a
 * `Symbol.for('opsjs.error.<code>')` brand for their class and every ancestor.
 */
export class FrameworkError extends Error {
  /** The stable code of this class, also found on each instance as `code`. */
  static readonly code: string = 'OPSJS_FRAMEWORK';
  override readonly name: string = 'FrameworkError';
  readonly code: string = 'OPSJS_FRAMEWORK';

  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    for (let ctor: unknown = new.target; isErrorClass(ctor); ctor = Object.getPrototypeOf(ctor)) {
      Object.defineProperty(this, Symbol.for(`opsjs.error.${ctor.code}`), { value: true });
    }
  }

  // `this` is the class on the right of `instanceof`, which may be a subclass.
  static override [Symbol.hasInstance](value: unknown): boolean {
    return (
      typeof value === 'object' &&
      value !== null &&
      // biome-ignore lint/complexity/noThisInStatic: the brand of the class being tested
      Reflect.get(value, Symbol.for(`opsjs.error.${this.code}`)) === true
    );
  }
}

function isErrorClass(value: unknown): value is typeof FrameworkError {
  return typeof value === 'function' && Object.hasOwn(value, 'code');
}
