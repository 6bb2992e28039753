/**
 * Validates Kubernetes objects against the API schemas, unknown fields included. Run as a child process
 * (`node --import tsx tests/manifests/schema-check.ts < objects.json`): the schema packages are ESM-only,
 * which jest's CommonJS module system cannot load. Prints one JSON array: the problems of each object.
 *
 * - Built-in kinds: `kubernetes-models` (types, required fields, enums, formats) plus a walk over
 *   `@kubernetes/client-node`'s attribute maps that reports every field the API type does not have (the
 *   API server's strict field validation; kubernetes-models alone accepts unknown fields).
 * - Snapshot and group-snapshot CRDs: crd-shapes.ts.
 * - PodMonitor: `@kubernetes-models/prometheus-operator`.
 */
import { CRD_SHAPES, type Shape } from './crd-shapes';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };
interface AttributeType {
  baseName: string;
  type: string;
}
type ModelClass = { getAttributeTypeMap?: () => AttributeType[] };
type ValidatingModel = new (data: unknown) => { validate(): void };

// A Function-constructed import() stays a real dynamic import when TypeScript compiles to CommonJS.
const importEsm = new Function('specifier', 'return import(specifier)') as (specifier: string) => Promise<unknown>;

function isObject(value: Json | undefined): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function splitApiVersion(apiVersion: string): { group: string; version: string } {
  const slash = apiVersion.indexOf('/');
  return slash < 0 ? { group: '', version: apiVersion } : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1) };
}

class Checker {
  constructor(private readonly clientModels: Record<string, ModelClass>) {}

  /** Unknown fields, recursively, against a client-node model ("V1Pod", "Array<V1Container>", ...). */
  unknownFields(value: Json, type: string, path: string, problems: string[]): void {
    const array = /^Array<(.+)>$/.exec(type);
    if (array) {
      if (Array.isArray(value)) value.forEach((item, i) => this.unknownFields(item, array[1], `${path}[${i}]`, problems));
      return;
    }
    const map = /^\{ \[key: string\]: (.+); \}$/.exec(type);
    if (map) {
      if (isObject(value)) for (const [key, item] of Object.entries(value)) this.unknownFields(item, map[1], `${path}.${key}`, problems);
      return;
    }
    const attributes = this.clientModels[type]?.getAttributeTypeMap?.();
    if (!attributes || !isObject(value)) return; // a scalar, IntOrString, Date, ...
    for (const [key, item] of Object.entries(value)) {
      const attribute = attributes.find((a) => a.baseName === key);
      if (!attribute) problems.push(`${path}.${key}: unknown field (not in ${type})`);
      else this.unknownFields(item, attribute.type, `${path}.${key}`, problems);
    }
  }

  shape(value: Json | undefined, shape: Shape, path: string, problems: string[]): void {
    switch (shape.type) {
      case 'any':
        return;
      case 'string':
        if (typeof value !== 'string') problems.push(`${path}: must be a string`);
        return;
      case 'enum':
        if (typeof value !== 'string' || !shape.values.includes(value)) problems.push(`${path}: must be one of ${shape.values.join(', ')}`);
        return;
      case 'stringMap':
        if (!isObject(value) || Object.values(value).some((v) => typeof v !== 'string')) problems.push(`${path}: must map strings to strings`);
        return;
      case 'array':
        if (!Array.isArray(value)) problems.push(`${path}: must be a list`);
        else value.forEach((item, i) => this.shape(item, shape.items, `${path}[${i}]`, problems));
        return;
      case 'k8s':
        if (!isObject(value)) problems.push(`${path}: must be an object`);
        else this.unknownFields(value, shape.model, path, problems);
        return;
      case 'object': {
        if (!isObject(value)) {
          problems.push(`${path}: must be an object`);
          return;
        }
        for (const [key, item] of Object.entries(value)) {
          const field = shape.fields[key];
          if (!field) problems.push(`${path}.${key}: unknown field`);
          else this.shape(item, field, `${path}.${key}`, problems);
        }
        for (const key of shape.required ?? []) if (!(key in value)) problems.push(`${path}.${key}: required`);
        if (shape.exactlyOneOf) {
          const present = shape.exactlyOneOf.filter((key) => key in value);
          if (present.length !== 1) problems.push(`${path}: exactly one of ${shape.exactlyOneOf.join(', ')} (found ${present.length})`);
        }
        return;
      }
    }
  }

  async check(object: Json): Promise<string[]> {
    if (!isObject(object) || typeof object.apiVersion !== 'string' || typeof object.kind !== 'string') {
      return ['not a Kubernetes object (apiVersion and kind are required)'];
    }
    const { apiVersion, kind } = object;
    const problems: string[] = [];
    const crd = CRD_SHAPES[`${apiVersion}/${kind}`];
    if (crd) {
      this.shape(object, crd, kind, problems);
      return problems;
    }
    const { group, version } = splitApiVersion(apiVersion);
    if (group === 'monitoring.coreos.com') {
      await this.validateWith(`@kubernetes-models/prometheus-operator/${group}/${version}`, kind, object, problems);
      return problems;
    }
    const found = await this.validateWith(`kubernetes-models/${group === '' ? '' : `${group}/`}${version}`, kind, object, problems);
    if (!found) return problems;
    const clientType = `${version.charAt(0).toUpperCase()}${version.slice(1)}${kind}`;
    if (!this.clientModels[clientType]?.getAttributeTypeMap) {
      problems.push(`${apiVersion} ${kind}: @kubernetes/client-node has no ${clientType} model to check unknown fields with`);
      return problems;
    }
    this.unknownFields(object, clientType, kind, problems);
    return problems;
  }

  private async validateWith(module: string, kind: string, object: JsonObject, problems: string[]): Promise<boolean> {
    let models: Record<string, ValidatingModel | undefined>;
    try {
      models = (await importEsm(module)) as Record<string, ValidatingModel | undefined>;
    } catch {
      problems.push(`${String(object.apiVersion)}: no API schema (${module}); a cluster would not know this apiVersion`);
      return false;
    }
    const Model = models[kind];
    if (!Model) {
      problems.push(`${String(object.apiVersion)} has no kind ${kind}`);
      return false;
    }
    try {
      new Model(object).validate();
    } catch (error) {
      problems.push(`${kind}: ${(error as Error).message}`);
    }
    return true;
  }
}

async function main(): Promise<void> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  const objects = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Json[];
  const checker = new Checker((await importEsm('@kubernetes/client-node')) as Record<string, ModelClass>);
  const results: string[][] = [];
  for (const object of objects) results.push(await checker.check(object));
  process.stdout.write(JSON.stringify(results));
}

main().catch((error: unknown) => {
  process.stderr.write(`schema-check: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
});
