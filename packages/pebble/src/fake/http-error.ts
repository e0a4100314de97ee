/**
 * An error the fake server turns into Pebble's error envelope.
 * @internal
 */
export class HttpError extends Error {
  readonly status: number;
  readonly kind: string | undefined;

  constructor(status: number, message: string, kind?: string) {
    super(message);
    this.status = status;
    this.kind = kind;
  }
}

/** Go's text for common errno codes. @internal */
export function osErrorText(error: unknown): { text: string; kind: string } {
  const code = typeof error === 'object' && error !== null ? Reflect.get(error, 'code') : undefined;
  switch (code) {
    case 'ENOENT':
      return { text: 'no such file or directory', kind: 'not-found' };
    case 'EACCES':
      return { text: 'permission denied', kind: 'permission-denied' };
    case 'EPERM':
      return { text: 'operation not permitted', kind: 'permission-denied' };
    case 'EEXIST':
      return { text: 'file exists', kind: 'generic-file-error' };
    case 'ENOTDIR':
      return { text: 'not a directory', kind: 'generic-file-error' };
    case 'ENOTEMPTY':
      return { text: 'directory not empty', kind: 'generic-file-error' };
    case 'EISDIR':
      return { text: 'is a directory', kind: 'generic-file-error' };
    default:
      return {
        text: error instanceof Error ? error.message : String(error),
        kind: 'generic-file-error',
      };
  }
}
