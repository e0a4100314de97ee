import { readFile } from 'node:fs/promises';
import { describe, expect, it } from 'vitest';

describe('README', () => {
  it('shows test/readme-example.test.ts verbatim as its Usage block (which vitest runs)', async () => {
    const readme = await readFile(new URL('../README.md', import.meta.url), 'utf8');
    const block = /## Usage\n[\s\S]*?```ts\n([\s\S]*?)```/u.exec(readme)?.[1];
    const example = await readFile(new URL('./readme-example.test.ts', import.meta.url), 'utf8');
    expect(block).toBe(example);
  });
});
