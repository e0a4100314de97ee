/**
 * Base class of every error the charm libraries throws.
 *
 * Each error class has a stable literal `code`; prefer `err.code` to `instanceof` when
 * comparing across versions. `instanceof` also works across two installed copies of this
 * package (a charm library may bring its own): instances carry a
 * `Symbol.for('opsjs.error.<code>')` brand for their class and every ancestor.
 */
export class CharmLibError extends Error {
  /** The stable code of this class, also found on each instance as `code`. */
  static readonly code: string = 'OPSJS_CHARMLIB';
  override readonly name: string = 'CharmLibError';
  readonly code: string = 'OPSJS_CHARMLIB';

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

function isErrorClass(value: unknown): value is typeof CharmLibError {
  return typeof value === 'function' && Object.hasOwn(value, 'code');
}

/** Thrown when a charm tries to write its application databag while not the leader. */
export class NotLeaderError extends CharmLibError {
  static override readonly code: string = 'OPSJS_CHARMLIB_NOT_LEADER';
  override readonly name: string = 'NotLeaderError';
  override readonly code: string = 'OPSJS_CHARMLIB_NOT_LEADER';
  /** The endpoint whose application bag was being written. */
  readonly endpoint: string;
  /** The relation id. */
  readonly relationId: number;

  constructor(endpoint: string, relationId: number, unitName: string) {
    super(
      `${unitName} is not the leader and cannot write the application databag of ` +
        `${endpoint}:${relationId}; only the leader unit writes application data`,
    );
    this.endpoint = endpoint;
    this.relationId = relationId;
  }
}

/** Thrown when a charm gives a local databag value that its interface schema rejects. */
export class BagEncodeError extends CharmLibError {
  static override readonly code: string = 'OPSJS_CHARMLIB_BAG_ENCODE';
  override readonly name: string = 'BagEncodeError';
  override readonly code: string = 'OPSJS_CHARMLIB_BAG_ENCODE';
  /** Which bag: e.g. `ingress v2 requirer app`. */
  readonly bag: string;
  /** The dotted paths of the offending fields. */
  readonly fields: readonly string[];

  constructor(bag: string, problems: readonly { path: string; message: string }[]) {
    super(
      `invalid data for the ${bag} databag: ` +
        problems.map((p) => `${p.path || '(bag)'}: ${p.message}`).join('; '),
    );
    this.bag = bag;
    this.fields = problems.map((p) => p.path);
  }
}

/** Thrown when an interface object is created for an endpoint it cannot serve. */
export class EndpointError extends CharmLibError {
  static override readonly code: string = 'OPSJS_CHARMLIB_ENDPOINT';
  override readonly name: string = 'EndpointError';
  override readonly code: string = 'OPSJS_CHARMLIB_ENDPOINT';
  /** The endpoint name. */
  readonly endpoint: string;

  constructor(endpoint: string, message: string) {
    super(`endpoint ${JSON.stringify(endpoint)}: ${message}`);
    this.endpoint = endpoint;
  }
}

/** Thrown when an interface definition is malformed (`defineInterface`). */
export class InterfaceDefinitionError extends CharmLibError {
  static override readonly code: string = 'OPSJS_CHARMLIB_DEFINITION';
  override readonly name: string = 'InterfaceDefinitionError';
  override readonly code: string = 'OPSJS_CHARMLIB_DEFINITION';
}

/** Thrown by the `charmlibs` tool for a failed command (bad arguments, files, checks). */
export class ToolError extends CharmLibError {
  static override readonly code: string = 'OPSJS_CHARMLIB_TOOL';
  override readonly name: string = 'ToolError';
  override readonly code: string = 'OPSJS_CHARMLIB_TOOL';
}
