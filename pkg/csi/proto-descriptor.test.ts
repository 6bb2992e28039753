/**
 * pkg/csi/csi-descriptor.json (what the plugins load, see proto.ts) must be exactly what
 * `npm run gen:proto-descriptor` makes of proto/csi.proto, and must encode and decode like the codec
 * @grpc/proto-loader builds from the .proto itself.
 */
import * as fs from 'fs';
import * as path from 'path';
import type { MethodDefinition } from '@grpc/proto-loader';
import { CSI_SERVICES, csiServiceDefinition } from './proto';
import { csiDescriptorJson, loadCsiPackageDefinition } from './proto-source';

describe('the CSI descriptor the plugins load', () => {
  it('is identical to a fresh generation from proto/csi.proto', () => {
    const committed = fs.readFileSync(path.join(__dirname, 'csi-descriptor.json'), 'utf8');
    expect(committed).toBe(csiDescriptorJson());
  });

  it("serves every RPC of csi.proto with proto-loader's paths, names and codecs", () => {
    const fromProto = loadCsiPackageDefinition();
    const request = {
      name: 'pvc-1',
      capacity_range: { required_bytes: '9223372036854775807' },
      volume_capabilities: [{ mount: { fs_type: 'ext4', mount_flags: ['noatime'] }, access_mode: { mode: 'SINGLE_NODE_WRITER' } }],
      parameters: { type: 'ssd' },
      secrets: { password: 'p' },
    };
    for (const service of CSI_SERVICES) {
      const expected = fromProto[`csi.v1.${service}`] as Record<string, MethodDefinition<object, object>>;
      const actual = csiServiceDefinition(service);
      expect(Object.keys(actual).sort()).toEqual(Object.keys(expected).sort());
      for (const [method, definition] of Object.entries(actual)) {
        const reference = expected[method];
        expect({ method, path: definition.path, originalName: definition.originalName, streams: [definition.requestStream, definition.responseStream] }).toEqual({
          method,
          path: reference.path,
          originalName: reference.originalName,
          streams: [reference.requestStream, reference.responseStream],
        });
      }
    }
    // Bytes and decoded objects agree both ways, int64 kept exact beyond 2^53, defaults and enums as names.
    const ours = csiServiceDefinition('Controller').CreateVolume;
    const theirs = (fromProto['csi.v1.Controller'] as Record<string, MethodDefinition<object, object>>).CreateVolume;
    const bytes = ours.requestSerialize(request);
    expect(bytes.equals(theirs.requestSerialize(request))).toBe(true);
    expect(ours.requestDeserialize(bytes)).toEqual(theirs.requestDeserialize(bytes));
    expect(ours.requestDeserialize(bytes)).toMatchObject({ capacity_range: { required_bytes: '9223372036854775807', limit_bytes: '0' }, volume_content_source: null });
  });
});
