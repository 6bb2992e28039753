/**
 * Response bodies shaped like the OpenStack api-ref samples (every field present), for nock-based tests.
 * IDs and hosts are fake.
 */
import type { CatalogService } from '../keystone/catalog';

export const PROJECT_ID = '8538a3f13f9541b28c2620eb19065e45';
export const USER_ID = 'ee4dfb6e5540447cb3741905149d9b6e';
export const AUTH_URL = 'http://keystone.test:5000/v3';
export const REGIONS = ['RegionOne', 'RegionTwo'] as const;
export const INTERFACES = ['public', 'internal', 'admin'] as const;

/** `http://<service>-<interface>.<region>.test:<port>` */
export function serviceHost(service: string, region: string, iface: string, port: number): string {
  return `http://${service}-${iface}.${region.toLowerCase()}.test:${port}`;
}

export const PORTS = { volume: 8776, compute: 8774, share: 8786 } as const;

export function cinderUrl(region = 'RegionOne', iface = 'public'): string {
  return `${serviceHost('cinder', region, iface, PORTS.volume)}/v3/${PROJECT_ID}`;
}
export function novaUrl(region = 'RegionOne', iface = 'public'): string {
  return `${serviceHost('nova', region, iface, PORTS.compute)}/v2.1`;
}
export function manilaUrl(region = 'RegionOne', iface = 'public'): string {
  return `${serviceHost('manila', region, iface, PORTS.share)}/v2/${PROJECT_ID}`;
}

function endpoints(url: (region: string, iface: string) => string): CatalogService['endpoints'] {
  return REGIONS.flatMap((region) =>
    INTERFACES.map((iface) => ({
      id: `${region}-${iface}-${url(region, iface).length}`,
      interface: iface,
      region,
      region_id: region,
      url: url(region, iface),
    })),
  );
}

/** A catalog with two regions and three interfaces per service, plus identity. */
export function catalog(options: { volumeType?: string; shareType?: string } = {}): CatalogService[] {
  return [
    {
      endpoints: endpoints((region, iface) => cinderUrl(region, iface)),
      id: '4363ae44bdf34a3981fde3b823cb9aa2',
      type: options.volumeType ?? 'volumev3',
      name: 'cinderv3',
    },
    {
      endpoints: endpoints((region, iface) => novaUrl(region, iface)),
      id: '5b0a1d5a1f6f4d3c8b3c1e0f2a9b7c61',
      type: 'compute',
      name: 'nova',
    },
    {
      endpoints: endpoints((region, iface) => manilaUrl(region, iface)),
      id: '1ee8a8c6a2e9447fb8a5d0f7b6c6e4a2',
      type: options.shareType ?? 'sharev2',
      name: 'manilav2',
    },
    {
      endpoints: endpoints((region, iface) => `${serviceHost('keystone', region, iface, 5000)}/v3`),
      id: '0c9ad2a2a9b84d5a9b2ea3e3a7de6cc8',
      type: 'identity',
      name: 'keystone',
    },
  ];
}

/** Body of `POST /v3/auth/tokens` (201), per the identity api-ref sample. */
export function tokenBody(options: { expiresAt?: Date; issuedAt?: Date; catalog?: CatalogService[] } = {}) {
  const issued = options.issuedAt ?? new Date();
  const expires = options.expiresAt ?? new Date(issued.getTime() + 3_600_000);
  return {
    token: {
      methods: ['password'],
      user: {
        domain: { id: 'default', name: 'Default' },
        id: USER_ID,
        name: 'admin',
        password_expires_at: null,
      },
      audit_ids: ['3T2dc1CGQxyJsHdDu1xkcw'],
      expires_at: expires.toISOString(),
      issued_at: issued.toISOString(),
      project: { domain: { id: 'default', name: 'Default' }, id: PROJECT_ID, name: 'admin' },
      is_domain: false,
      roles: [
        { id: '51cc68287d524c759f47c811e6463340', name: 'admin' },
        { id: '9fe2ff9ee4384b1894a90878d3e92bab', name: 'member' },
      ],
      catalog: options.catalog ?? catalog(),
    },
  };
}

export const VOLUME_ID = '6edbc2f4-1507-44f8-ac0d-eed1d2608d38';
export const SNAPSHOT_ID = 'b1323cda-8e4b-41c1-afc5-2fc791809c8c';
export const BACKUP_ID = '2ef47aee-8844-490c-804d-2a8efe561c65';
export const SERVER_ID = '2ce4c5b3-2866-4972-93ce-77a2ea46a7f9';
export const SHARE_ID = '011d21e2-fbc3-4e4a-9993-9ea223f73264';

export function volume(overrides: Record<string, unknown> = {}) {
  const id = (overrides.id as string | undefined) ?? VOLUME_ID;
  return {
    attachments: [],
    availability_zone: 'nova',
    bootable: 'false',
    consistencygroup_id: null,
    created_at: '2018-11-29T06:50:07.770785',
    description: null,
    encrypted: false,
    id,
    links: [
      { href: `${cinderUrl()}/volumes/${id}`, rel: 'self' },
      { href: `${cinderUrl().replace('/v3', '')}/volumes/${id}`, rel: 'bookmark' },
    ],
    metadata: {},
    migration_status: null,
    multiattach: false,
    name: null,
    'os-vol-host-attr:host': null,
    'os-vol-mig-status-attr:migstat': null,
    'os-vol-mig-status-attr:name_id': null,
    'os-vol-tenant-attr:tenant_id': PROJECT_ID,
    replication_status: null,
    size: 1,
    snapshot_id: null,
    source_volid: null,
    status: 'available',
    updated_at: '2018-11-29T06:50:09.417237',
    user_id: USER_ID,
    volume_type: 'lvmdriver-1',
    group_id: null,
    provider_id: null,
    service_uuid: null,
    shared_targets: true,
    cluster_name: null,
    volume_type_id: '5fed9d7c-401d-46e2-8e80-f30c70cb7e1d',
    consumes_quota: true,
    ...overrides,
  };
}

export function volumeAttachment(serverId: string, volumeId = VOLUME_ID) {
  return {
    server_id: serverId,
    attachment_id: 'f1c6b1d4-4b4b-4a3b-9f34-dc3b2a1f4e51',
    attached_at: '2018-11-29T07:02:11.000000',
    host_name: 'compute-1',
    volume_id: volumeId,
    device: '/dev/vdb',
    id: volumeId,
  };
}

export function snapshot(overrides: Record<string, unknown> = {}) {
  return {
    status: 'available',
    'os-extended-snapshot-attributes:progress': '100%',
    'os-extended-snapshot-attributes:project_id': PROJECT_ID,
    description: 'Daily backup',
    created_at: '2019-03-12T04:42:00.809352',
    updated_at: '2019-03-12T04:42:01.136185',
    name: 'snap-001',
    user_id: USER_ID,
    volume_id: VOLUME_ID,
    size: 10,
    id: SNAPSHOT_ID,
    metadata: { key: 'v3' },
    group_snapshot_id: null,
    consumes_quota: true,
    ...overrides,
  };
}

export function backup(overrides: Record<string, unknown> = {}) {
  return {
    availability_zone: 'nova',
    container: 'volumebackups',
    created_at: '2017-05-11T05:51:17.000000',
    data_timestamp: '2017-05-11T05:51:17.000000',
    description: null,
    fail_reason: null,
    has_dependent_backups: false,
    id: BACKUP_ID,
    is_incremental: false,
    links: [{ href: `${cinderUrl()}/backups/${BACKUP_ID}`, rel: 'self' }],
    name: 'backup001',
    object_count: 22,
    size: 1,
    snapshot_id: SNAPSHOT_ID,
    status: 'available',
    updated_at: '2017-05-11T05:51:40.000000',
    volume_id: VOLUME_ID,
    metadata: {},
    user_id: USER_ID,
    'os-backup-project-attr:project_id': PROJECT_ID,
    encryption_key_id: null,
    ...overrides,
  };
}

export function server(overrides: Record<string, unknown> = {}) {
  return {
    accessIPv4: '1.2.3.4',
    accessIPv6: '80fe::',
    addresses: { private: [{ addr: '192.168.1.30', 'OS-EXT-IPS-MAC:mac_addr': 'aa:bb:cc:dd:ee:ff', 'OS-EXT-IPS:type': 'fixed', version: 4 }] },
    config_drive: '',
    created: '2013-09-03T04:01:32Z',
    flavor: { id: '1', links: [{ href: 'http://openstack.example.com/flavors/1', rel: 'bookmark' }] },
    hostId: '92154fab69d5883ba2c8622b7e65f745dd33257221c5af50bd2ae6e6',
    id: SERVER_ID,
    image: { id: '70a599e0-31e7-49b7-b260-868f441e862b', links: [] },
    key_name: null,
    links: [{ href: `${novaUrl()}/servers/${SERVER_ID}`, rel: 'self' }],
    metadata: { 'My Server Name': 'Apache1' },
    name: 'new-server-test',
    'OS-DCF:diskConfig': 'AUTO',
    'OS-EXT-AZ:availability_zone': 'nova',
    'OS-EXT-SRV-ATTR:host': 'compute',
    'OS-EXT-SRV-ATTR:hypervisor_hostname': 'fake-mini',
    'OS-EXT-SRV-ATTR:instance_name': 'instance-00000001',
    'OS-EXT-STS:power_state': 1,
    'OS-EXT-STS:task_state': null,
    'OS-EXT-STS:vm_state': 'active',
    'os-extended-volumes:volumes_attached': [],
    'OS-SRV-USG:launched_at': '2013-09-23T13:37:00.880302',
    'OS-SRV-USG:terminated_at': null,
    progress: 0,
    security_groups: [{ name: 'default' }],
    status: 'ACTIVE',
    tenant_id: PROJECT_ID,
    updated: '2013-09-03T04:01:33Z',
    user_id: USER_ID,
    ...overrides,
  };
}

export function novaVolumeAttachment(overrides: Record<string, unknown> = {}) {
  return {
    device: '/dev/sdb',
    id: VOLUME_ID,
    serverId: SERVER_ID,
    volumeId: VOLUME_ID,
    ...overrides,
  };
}

export function share(overrides: Record<string, unknown> = {}) {
  return {
    links: [{ href: `${manilaUrl()}/shares/${SHARE_ID}`, rel: 'self' }],
    availability_zone: 'nova',
    share_network_id: '713df749-aac0-4a54-af52-10f6c991e80c',
    snapshot_id: null,
    id: SHARE_ID,
    size: 1,
    share_type: '25747776-08e5-494f-ab40-a64b9d20d8f7',
    share_type_name: 'default',
    export_location: null,
    export_locations: [],
    project_id: PROJECT_ID,
    metadata: { project: 'my_app', aim: 'doc' },
    status: 'available',
    progress: '100%',
    access_rules_status: 'active',
    description: 'My custom share London',
    host: 'manila2@generic1#GENERIC1',
    user_id: USER_ID,
    is_public: true,
    snapshot_support: true,
    create_share_from_snapshot_support: true,
    mount_snapshot_support: false,
    revert_to_snapshot_support: false,
    name: 'share_London',
    created_at: '2015-09-18T10:25:24.000000',
    share_proto: 'NFS',
    volume_type: 'default',
    source_share_group_snapshot_member_id: null,
    share_group_id: null,
    replication_type: null,
    has_replicas: false,
    task_state: null,
    is_soft_deleted: false,
    scheduled_to_be_deleted_at: null,
    ...overrides,
  };
}

/** Cinder `GET /v3/` (api-ref "Show API v3 details"). */
export function cinderVersionDocument(max = '3.71', min = '3.0') {
  return {
    versions: [
      {
        id: 'v3.0',
        links: [
          { href: 'https://docs.openstack.org/', rel: 'describedby', type: 'text/html' },
          { href: `${serviceHost('cinder', 'RegionOne', 'public', PORTS.volume)}/v3/`, rel: 'self' },
        ],
        'media-types': [{ base: 'application/json', type: 'application/vnd.openstack.volume+json;version=3' }],
        min_version: min,
        status: 'CURRENT',
        updated: '2023-08-31T00:00:00Z',
        version: max,
      },
    ],
  };
}

/** Nova `GET /v2.1/` (api-ref "Show Details of Specific API Version"). */
export function novaVersionDocument(max = '2.96', min = '2.1') {
  return {
    version: {
      id: 'v2.1',
      links: [
        { href: `${novaUrl()}/`, rel: 'self' },
        { href: 'http://docs.openstack.org/', rel: 'describedby', type: 'text/html' },
      ],
      'media-types': [{ base: 'application/json', type: 'application/vnd.openstack.compute+json;version=2.1' }],
      min_version: min,
      status: 'CURRENT',
      updated: '2013-07-23T11:33:21Z',
      version: max,
    },
  };
}

/** Manila `GET /v2/` (api-ref "Show details of API version"). */
export function manilaVersionDocument(max = '2.84', min = '2.0') {
  return {
    versions: [
      {
        id: 'v2.0',
        status: 'CURRENT',
        version: max,
        min_version: min,
        updated: '2015-08-27T11:33:21Z',
        links: [
          { href: 'http://docs.openstack.org/', type: 'text/html', rel: 'describedby' },
          { href: `${serviceHost('manila', 'RegionOne', 'public', PORTS.share)}/v2/`, rel: 'self' },
        ],
        'media-types': [{ base: 'application/json', type: 'application/vnd.openstack.share+json;version=1' }],
      },
    ],
  };
}
