import { describe, expect, it } from 'vitest';
import {
  BundleError,
  CharmMetadataError,
  CliError,
  EntryNotFoundError,
  OutputError,
  ProjectNotFoundError,
  RuntimeNotFoundError,
  StaleTypesError,
  UsageError,
  ZipError,
} from '../src/errors.js';

describe('CliError', () => {
  it('carries name, code, message, file, field and cause', () => {
    const cause = new Error('underlying');
    const err = new CliError('charmcraft.yaml: name: missing', {
      cause,
      file: 'charmcraft.yaml',
      field: 'name',
    });
    expect(err.name).toBe('CliError');
    expect(err.code).toBe('OPSJS_CLI');
    expect(err.message).toBe('charmcraft.yaml: name: missing');
    expect(err.file).toBe('charmcraft.yaml');
    expect(err.field).toBe('name');
    expect(err.cause).toBe(cause);
    expect(err).toBeInstanceOf(Error);
  });

  it('gives each subclass its own name and code, recognised with instanceof', () => {
    const classes = [
      [UsageError, 'OPSJS_CLI_USAGE'],
      [ProjectNotFoundError, 'OPSJS_CLI_PROJECT_NOT_FOUND'],
      [CharmMetadataError, 'OPSJS_CLI_CHARM_METADATA'],
      [EntryNotFoundError, 'OPSJS_CLI_ENTRY_NOT_FOUND'],
      [BundleError, 'OPSJS_CLI_BUNDLE'],
      [RuntimeNotFoundError, 'OPSJS_CLI_RUNTIME_NOT_FOUND'],
      [OutputError, 'OPSJS_CLI_OUTPUT'],
      [StaleTypesError, 'OPSJS_CLI_STALE_TYPES'],
      [ZipError, 'OPSJS_CLI_ZIP'],
    ] as const;
    for (const [Class, code] of classes) {
      const err = new Class('x');
      expect(err.code).toBe(code);
      expect(err.name).toBe(Class.name);
      expect(err instanceof Class).toBe(true);
      expect(err instanceof CliError).toBe(true);
      expect(new CliError('base') instanceof Class).toBe(false);
    }
    expect(new UsageError('u') instanceof OutputError).toBe(false);
    const nothing: unknown = null;
    expect(nothing instanceof CliError).toBe(false);
  });
});
