/**
 * Manila user messages (`/messages`, 2.37+): what a failed asynchronous operation leaves behind, with Manila's
 * `action_id` and `detail_id` codes (manila/message/message_field.py). A CSI driver maps the `detail_id` of a
 * share's newest message to a gRPC code, so injected faults can name a detail: a fault given as a detail ID
 * (`'002'`) or as a detail's text becomes that detail; any other text is detail 001 and shows verbatim.
 */
import { notFound } from '../http-kit';
import { requireVersion } from '../microversion';
import { pagedListBody, queryFilter, type ServiceRoutes } from '../service-route';
import { cinderTime, newId } from '../state';
import { selfLinks, type ManilaSim } from './common';

export interface ShareMessageRecord {
  seq: number;
  id: string;
  actionId: string;
  detailId: string;
  userMessage: string;
  resourceType: 'SHARE' | 'SHARE_SNAPSHOT' | 'SHARE_GROUP';
  resourceId: string;
  requestId: string;
  createdAt: string;
}

export const MESSAGES_MIN_VERSION = '2.37';

/** Manila's action codes and words (`message_field.Action`). */
export const ACTIONS = {
  allocateHost: ['001', 'allocate host'],
  create: ['002', 'create'],
  deleteAccessRules: ['003', 'delete access rules'],
  delete: ['007', 'delete'],
  extend: ['008', 'extend'],
  shrink: ['009', 'shrink'],
  updateAccessRules: ['010', 'update access rules'],
} as const satisfies Record<string, readonly [string, string]>;

export type ShareAction = keyof typeof ACTIONS;

const FILTER_MSG = (filter: string) => `No storage could be allocated for this share request, ${filter} filter didn't succeed.`;

/** Manila's detail codes (`message_field.Detail`) a CSI driver or its tests meet. */
export const DETAILS: Record<string, string> = {
  '001': 'An unknown error occurred.',
  '002': 'No storage could be allocated for this share request. Trying again with a different size or share type may succeed.',
  '003': 'Driver does not expect share-network to be provided with current configuration.',
  '004':
    'Could not find an existing share server or allocate one on the share network provided. You may use a different share network, or verify the network details in the share network and retry your request. If this doesn\'t work, contact your administrator to troubleshoot issues with your network.',
  '007': FILTER_MSG('AvailabilityZone'),
  '008': FILTER_MSG('Capabilities'),
  '009': FILTER_MSG('Capacity'),
  '010': FILTER_MSG('Driver'),
  '015':
    'Share Driver failed to extend share, The share status has been set to extending_error. This action cannot be re-attempted until the status has been rectified. Contact your administrator to determine the cause of this failure.',
  '016': FILTER_MSG('CreateFromSnapshot'),
  '017':
    'Share Driver has failed to create the share from snapshot. This operation can be re-attempted by creating a new share. Contact your administrator to determine the cause of this failure.',
  '018':
    'Share Driver refused to shrink the share. The size to be shrunk is smaller than the current used space. The share status has been set to available. Please select a size greater than the current used space.',
  '019': 'Share Driver does not support shrinking shares. Shrinking share operation failed.',
  '020': 'Failed to grant access to client. The client ID used may be forbidden. You may try again with a different client identifier.',
  '021': 'Failed to grant access to client. The access level or type may be unsupported. You may try again with a different access level or access type.',
  '024': 'No default share type has been made available. You must specify a share type for creating shares.',
  '028':
    'No storage could be allocated for this share request. Share back end services are not ready yet. Contact your administrator in case retrying does not help.',
};

/** Details the scheduler reports (action "allocate host" rather than "create"). */
const SCHEDULER_DETAILS = new Set(['002', '007', '008', '009', '010', '016', '028']);

/** The detail a fault names: a known detail ID or text, else 001 with the fault's own words. */
export function detailOfFault(fault: string): { detailId: string; text: string } {
  const trimmed = fault.trim();
  if (DETAILS[trimmed]) return { detailId: trimmed, text: DETAILS[trimmed] };
  const byText = Object.entries(DETAILS).find(([, text]) => text === trimmed);
  if (byText) return { detailId: byText[0], text: byText[1] };
  return { detailId: '001', text: trimmed };
}

/**
 * Records the message a failed operation leaves. A failed create is reported by the scheduler ("allocate host")
 * when its detail is a scheduling one, by the share manager ("create") otherwise.
 */
export function recordShareMessage(
  sim: ManilaSim,
  resourceType: ShareMessageRecord['resourceType'],
  resourceId: string,
  action: ShareAction,
  fault: string,
): ShareMessageRecord {
  const { detailId, text } = detailOfFault(fault);
  const [actionId, actionWord] = action === 'create' && SCHEDULER_DETAILS.has(detailId) ? ACTIONS.allocateHost : ACTIONS[action];
  const message: ShareMessageRecord = {
    seq: sim.state.nextSeq(),
    id: newId(),
    actionId,
    detailId,
    userMessage: `${actionWord}: ${text}`,
    resourceType,
    resourceId,
    requestId: `req-${newId()}`,
    createdAt: cinderTime(),
  };
  sim.manila.messages.push(message);
  return message;
}

export function registerMessages(routes: ServiceRoutes, sim: ManilaSim): void {
  const find = (id: string) => {
    const m = sim.manila.messages.find((x) => x.id === id);
    if (!m) throw notFound(`Message ${id} could not be found.`);
    return m;
  };
  routes.add('GET', '/messages', (call) => {
    requireVersion(call.version, MESSAGES_MIN_VERSION);
    // Newest first (Manila's default sort: created_at desc); paged by limit/offset.
    const items = [...sim.manila.messages]
      .sort((a, b) => b.seq - a.seq)
      .filter(
        queryFilter(call.query, {
          resource_id: 'resourceId',
          resource_type: 'resourceType',
          action_id: 'actionId',
          detail_id: 'detailId',
          request_id: 'requestId',
        }),
      );
    return { status: 200, body: pagedListBody(call, items, 'messages', (m) => messageView(call, m)) };
  });
  routes.add('GET', '/messages/{message_id}', (call) => {
    requireVersion(call.version, MESSAGES_MIN_VERSION);
    return { status: 200, body: { message: messageView(call, find(call.params.message_id)) } };
  });
  routes.add('DELETE', '/messages/{message_id}', (call) => {
    requireVersion(call.version, MESSAGES_MIN_VERSION);
    const m = find(call.params.message_id);
    sim.manila.messages.splice(sim.manila.messages.indexOf(m), 1);
    return { status: 204 };
  });
}

function messageView(call: Parameters<typeof selfLinks>[0], m: ShareMessageRecord): Record<string, unknown> {
  return {
    id: m.id,
    project_id: call.projectId,
    action_id: m.actionId,
    detail_id: m.detailId,
    message_level: 'ERROR',
    created_at: m.createdAt,
    // Manila keeps messages 30 days (`message_ttl`).
    expires_at: cinderTime(new Date(Date.parse(`${m.createdAt.slice(0, 23)}Z`) + 30 * 24 * 3600_000)),
    request_id: m.requestId,
    links: selfLinks(call, 'messages', m.id),
    resource_type: m.resourceType,
    resource_id: m.resourceId,
    user_message: m.userMessage,
  };
}
