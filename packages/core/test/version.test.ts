import * as fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { OPSJS_VERSION } from '../src/version.js';

describe('OPSJS_VERSION', () => {
  it('is the version in package.json, which changesets bump', () => {
    const text = fs.readFileSync(new URL('../package.json', import.meta.url), 'utf8');
    const { version } = JSON.parse(text) as { version: string };
    expect(OPSJS_VERSION).toBe(version);
    expect(OPSJS_VERSION).toMatch(/^\d+\.\d+\.\d+/);
  });
});
