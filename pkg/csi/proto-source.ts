/**
 * proto/csi.proto itself, parsed by @grpc/proto-loader: what the wire-contract tests read and what
 * `npm run gen:proto-descriptor` turns into pkg/csi/csi-descriptor.json (the form the plugins load, see
 * proto.ts). Parsing the .proto at start cost a plugin ~7 MiB and ~140 ms (the parser, descriptor objects
 * for every message, google/protobuf's common protos), so only tests and the generator come here.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as protoLoader from '@grpc/proto-loader';
import { LOADER_OPTIONS } from './proto';

/** Source tree (pkg/csi -> ../../proto) and compiled tree (dist/pkg/csi -> ../../../proto). */
function findProtoFile(): string {
  const candidates = [path.resolve(__dirname, '../../proto/csi.proto'), path.resolve(__dirname, '../../../proto/csi.proto')];
  const found = candidates.find((candidate) => fs.existsSync(candidate));
  if (!found) throw new Error(`csi.proto not found (looked in ${candidates.join(', ')})`);
  return found;
}

export const CSI_PROTO_PATH = findProtoFile();

let cachedDefinition: protoLoader.PackageDefinition | undefined;

/** proto-loader's package definition of csi.proto (message and enum descriptors included). */
export function loadCsiPackageDefinition(): protoLoader.PackageDefinition {
  cachedDefinition ??= protoLoader.loadSync(CSI_PROTO_PATH, LOADER_OPTIONS);
  return cachedDefinition;
}

/**
 * The protobufjs JSON descriptor of csi.proto and the google/protobuf files it imports, parsed the way
 * proto-loader parses it (its include paths for the common protos, field names kept as written).
 */
export function csiDescriptorJson(): string {
  // proto-loader registers google/protobuf's common protos when its index loads (imported above).
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { loadProtosWithOptionsSync } = require('@grpc/proto-loader/build/src/util') as {
    loadProtosWithOptionsSync(file: string, options: protoLoader.Options): { toJSON(): object };
  };
  return `${JSON.stringify(loadProtosWithOptionsSync(CSI_PROTO_PATH, LOADER_OPTIONS).toJSON(), null, 1)}\n`;
}
