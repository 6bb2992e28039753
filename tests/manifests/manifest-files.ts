/**
 * Reading the repository's manifests, examples and docs as Kubernetes objects, rendering kustomize
 * overlays with `kubectl kustomize`, and running schema-check.ts on them.
 */
import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { promisify } from 'node:util';
import * as yaml from 'js-yaml';

const run = promisify(execFile);

export const REPO_ROOT = path.resolve(__dirname, '..', '..');

export type K8sObject = {
  apiVersion: string;
  kind: string;
  metadata?: { name?: string; namespace?: string };
  [key: string]: unknown;
};

export interface SourcedObject {
  /** Where it came from, for messages: file (and document index) or overlay. */
  source: string;
  object: K8sObject;
}

/** Every document of a multi-document YAML text that is an object (empty documents dropped). */
export function parseDocuments(text: string, source: string): SourcedObject[] {
  return yaml
    .loadAll(text)
    .map((object, index) => ({ source: `${source}#${index}`, object: object as K8sObject }))
    .filter(({ object }) => object !== null && object !== undefined);
}

export function readObjects(file: string): SourcedObject[] {
  return parseDocuments(fs.readFileSync(file, 'utf8'), path.relative(REPO_ROOT, file));
}

export function listFiles(dir: string, accept: (file: string) => boolean): string[] {
  if (!fs.existsSync(dir)) return [];
  const out: string[] = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listFiles(full, accept));
    else if (accept(full)) out.push(full);
  }
  return out.sort();
}

export const isYaml = (file: string): boolean => /\.ya?ml$/.test(file);

/**
 * The files `kubectl apply -f DIR` reads: only DIR's own .json/.yaml/.yml files (kubectl's directory
 * visitor skips other extensions and, without --recursive, subfolders).
 */
export function filesKubectlApplyReads(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isFile() && /\.(json|ya?ml)$/.test(entry.name))
    .map((entry) => path.join(dir, entry.name))
    .sort();
}

/** ```yaml blocks of a Markdown file that hold Kubernetes objects (those with apiVersion and kind). */
export function yamlBlocksOf(markdownFile: string): SourcedObject[] {
  const text = fs.readFileSync(markdownFile, 'utf8');
  const objects: SourcedObject[] = [];
  let index = 0;
  for (const match of text.matchAll(/```yaml\n([\s\S]*?)```/g)) {
    const source = `${path.relative(REPO_ROOT, markdownFile)} yaml block ${index++}`;
    for (const doc of parseDocuments(match[1], source)) {
      if (typeof doc.object === 'object' && 'apiVersion' in doc.object && 'kind' in doc.object) objects.push(doc);
    }
  }
  return objects;
}

/** The kubectl binary on PATH, or undefined. */
export function findKubectl(): string | undefined {
  for (const dir of (process.env.PATH ?? '').split(path.delimiter)) {
    const candidate = path.join(dir, 'kubectl');
    try {
      fs.accessSync(candidate, fs.constants.X_OK);
      return candidate;
    } catch {
      // not here
    }
  }
  return undefined;
}

export async function kustomize(kubectl: string, dir: string): Promise<SourcedObject[]> {
  const { stdout } = await run(kubectl, ['kustomize', dir], { maxBuffer: 16 * 1024 * 1024 });
  return parseDocuments(stdout, `kustomize ${path.relative(REPO_ROOT, dir)}`);
}

/** Problems per object, from schema-check.ts in a child process (the schema packages are ESM-only). */
export async function schemaProblems(objects: readonly K8sObject[]): Promise<string[][]> {
  const script = path.join(__dirname, 'schema-check.ts');
  const child = execFile(process.execPath, ['--import', 'tsx', script], { cwd: REPO_ROOT, maxBuffer: 16 * 1024 * 1024 });
  const output = new Promise<string>((resolve, reject) => {
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolve(stdout) : reject(new Error(`schema-check exited ${code}: ${stderr}`))));
  });
  child.stdin?.end(JSON.stringify(objects));
  return JSON.parse(await output) as string[][];
}
