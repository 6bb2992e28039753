/**
 * Loads proto/csi.proto with the project's single set of loader options (the same ones `npm run gen:proto`
 * gives the type generator for pkg/csi/generated):
 * snake_case fields, int64 as decimal strings, enums as names, defaults filled, oneof discriminators.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as protoLoader from '@grpc/proto-loader';
import * as grpc from '@grpc/grpc-js';
import type { ProtoGrpcType } from './generated/csi';

export const LOADER_OPTIONS: protoLoader.Options = {
  keepCase: true,
  longs: String,
  enums: String,
  defaults: true,
  oneofs: true,
};

/** Source tree (pkg/csi -> ../../proto) and compiled tree (dist/pkg/csi -> ../../../proto). */
function findProtoFile(): string {
  const candidates = [
    path.resolve(__dirname, '../../proto/csi.proto'),
    path.resolve(__dirname, '../../../proto/csi.proto'),
  ];
  const found = candidates.find((candidate) => fs.existsSync(candidate));
  if (!found) throw new Error(`csi.proto not found (looked in ${candidates.join(', ')})`);
  return found;
}

export const CSI_PROTO_PATH = findProtoFile();

let cachedDefinition: protoLoader.PackageDefinition | undefined;

export function loadCsiPackageDefinition(): protoLoader.PackageDefinition {
  cachedDefinition ??= protoLoader.loadSync(CSI_PROTO_PATH, LOADER_OPTIONS);
  return cachedDefinition;
}

/** The `csi.v1` namespace: service constructors (clients) and their `.service` definitions. */
export function loadCsiGrpc(): ProtoGrpcType['csi']['v1'] {
  const loaded = grpc.loadPackageDefinition(loadCsiPackageDefinition()) as unknown as ProtoGrpcType;
  return loaded.csi.v1;
}
