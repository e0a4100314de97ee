import { readFileSync } from 'node:fs';
import { initProject, loadCharmProject, typegen } from '@opsjs/cli';
import { describe, expect, it } from 'vitest';
import { useTempDirs } from './helpers/temp-dir.js';

const tempDir = useTempDirs();

describe('README usage', () => {
  it('runs the README code', async () => {
    const workDir = tempDir();
    // Same code as README.md "Usage".
    const project = await initProject({ dir: `${workDir}/my-charm`, kind: 'machine' });
    const types = await typegen({ dir: project.dir, check: true });
    const { meta, bases } = loadCharmProject(project.dir);
    expect(types.status).toBe('checked');
    expect(meta.name).toBe('my-charm');
    expect(Object.keys(meta.config)).toEqual(['log-level', 'port']);
    expect(bases).toEqual([
      { name: 'ubuntu', channel: '24.04', architectures: ['amd64'] },
      { name: 'ubuntu', channel: '24.04', architectures: ['arm64'] },
    ]);
  });

  it('keeps the README block in step with this test', () => {
    const readme = readFileSync(new URL('../README.md', import.meta.url), 'utf8');
    expect(readme).toContain(
      // biome-ignore lint/suspicious/noTemplateCurlyInString: the README's code, verbatim
      "const project = await initProject({ dir: `${workDir}/my-charm`, kind: 'machine' });",
    );
    expect(readme).toContain('const { meta, bases } = loadCharmProject(project.dir);');
  });
});
