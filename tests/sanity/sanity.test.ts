/**
 * The CSI conformance suite (csi-sanity in spirit): one stack, the real plugin on one unix socket.
 * Cases live in `*-checks.ts`; this file only owns the stack so every check shares it.
 */
import { describeIdentityAndController } from './controller-checks';
import { describeNode } from './node-checks';
import { setUpSanityStack } from './sanity-context';

const suite = setUpSanityStack();
describeIdentityAndController(suite);
describeNode(suite);

describe('sanity: cleanup', () => {
  it('every check undid what it did: no mounts, loop devices, device links, images or kubelet paths are left', async () => {
    const leftovers = await suite.stack().leftovers();
    expect(leftovers).toEqual({
      mounts: [],
      loopDevices: [],
      deviceLinks: [],
      kubeletFiles: [],
      simulatorFiles: [],
    });
  });
});
