/**
 * `npm run gen:proto-descriptor`: writes pkg/csi/csi-descriptor.json from proto/csi.proto (see
 * pkg/csi/proto-source.ts). pkg/csi/proto-descriptor.test.ts fails while the committed file is stale.
 */
import * as fs from 'fs';
import * as path from 'path';
import { csiDescriptorJson } from '../pkg/csi/proto-source';

const target = path.resolve(__dirname, '..', 'pkg', 'csi', 'csi-descriptor.json');
fs.writeFileSync(target, csiDescriptorJson());
console.log(`wrote ${path.relative(process.cwd(), target)}`);
