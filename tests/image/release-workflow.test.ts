/**
 * The release workflow cannot run here (no container engine, no registry); this pins what it must do:
 * build this repository's Dockerfile with buildx for both architectures and push it on release tags.
 */
import * as fs from 'fs';
import * as yaml from 'js-yaml';
import * as path from 'path';

interface Step {
  uses?: string;
  with?: Record<string, unknown>;
}

const workflow = yaml.load(fs.readFileSync(path.resolve(__dirname, '../../.github/workflows/release.yml'), 'utf8')) as {
  on: { push: { tags: string[] } };
  permissions: Record<string, string>;
  jobs: Record<string, { steps: Step[] }>;
};

describe('release workflow', () => {
  const steps = Object.values(workflow.jobs).flatMap((job) => job.steps);
  const action = (name: string) => steps.find((step) => step.uses?.startsWith(`${name}@`));

  it('runs on version tags with the right to push packages', () => {
    expect(workflow.on.push.tags).toEqual(['v*.*.*']);
    expect(workflow.permissions).toEqual({ contents: 'read', packages: 'write' });
  });

  it('builds the Dockerfile for amd64 and arm64 with buildx and pushes the tagged image', () => {
    expect(action('docker/setup-qemu-action')).toBeDefined();
    expect(action('docker/setup-buildx-action')).toBeDefined();
    const build = action('docker/build-push-action');
    expect(build?.with).toMatchObject({ context: '.', platforms: 'linux/amd64,linux/arm64', push: true });
    expect(String(build?.with?.tags)).toContain('steps.meta.outputs.tags');
    expect(action('docker/metadata-action')?.with?.tags).toContain('type=semver,pattern=v{{version}}');
  });
});
