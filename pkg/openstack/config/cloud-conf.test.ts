import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { createLogger } from '../../log/logger';
import { ConfigError } from '../errors';
import { loadCloudConfig } from './cloud-conf';
import { credentialsFromSecrets } from './secrets';

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cloud-conf-'));
});
afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

function write(name: string, text: string): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, text);
  return file;
}

function capture() {
  const lines: string[] = [];
  return { lines, logger: createLogger({ sink: (line) => lines.push(line) }) };
}

const GLOBAL = `[Global]
auth-url = https://keystone.example.com:5000/v3
username = admin
password = "pa;ss#word"
user-domain-name = Default
tenant-name = demo
tenant-domain-name = Default
region = RegionOne
os-endpoint-type = internal
tls-insecure = true
`;

describe('loadCloudConfig', () => {
  it('reads every [Global] key, [BlockStorage] and [Metadata]', () => {
    const file = write(
      'full.conf',
      `${GLOBAL}ca-file = /etc/ssl/ca.pem
cert-file = /etc/ssl/c.pem
key-file = /etc/ssl/k.pem
user-id = uid
token = tok
tenant-id = pid
tenant-domain-id = tdid
trust-id = trid
trustee-id = teid
trustee-password = tepw
domain-id = did
domain-name = dname
user-domain-id = udid
application-credential-id = acid
application-credential-name = acname
application-credential-secret = acsecret

[BlockStorage]
node-volume-attach-limit = 25
rescan-on-resize = yes
ignore-volume-az = true
ignore-volume-microversion = 1

[Metadata]
search-order = metadataService,configDrive
request-timeout = 1m30s
`,
    );
    const config = loadCloudConfig([file]);
    expect(config.clouds.get('')).toEqual({
      authUrl: 'https://keystone.example.com:5000/v3',
      username: 'admin',
      password: 'pa;ss#word',
      userDomainName: 'Default',
      projectName: 'demo',
      projectDomainName: 'Default',
      region: 'RegionOne',
      endpointType: 'internal',
      tlsInsecure: true,
      caFile: '/etc/ssl/ca.pem',
      certFile: '/etc/ssl/c.pem',
      keyFile: '/etc/ssl/k.pem',
      userId: 'uid',
      token: 'tok',
      projectId: 'pid',
      projectDomainId: 'tdid',
      trustId: 'trid',
      trusteeId: 'teid',
      trusteePassword: 'tepw',
      domainId: 'did',
      domainName: 'dname',
      userDomainId: 'udid',
      applicationCredentialId: 'acid',
      applicationCredentialName: 'acname',
      applicationCredentialSecret: 'acsecret',
    });
    expect(config.blockStorage).toEqual({
      nodeVolumeAttachLimit: 25,
      rescanOnResize: true,
      ignoreVolumeAZ: true,
      ignoreVolumeMicroversion: true,
    });
    expect(config.metadata).toEqual({ searchOrder: ['metadataService', 'configDrive'], requestTimeoutMs: 90_000 });
  });

  it('uses CPO defaults when optional sections are absent', () => {
    const config = loadCloudConfig([write('min.conf', GLOBAL)]);
    expect(config.blockStorage).toEqual({ rescanOnResize: false, ignoreVolumeAZ: false, ignoreVolumeMicroversion: false });
    expect(config.metadata).toEqual({ searchOrder: ['configDrive', 'metadataService'] });
  });

  it('lets later files override earlier ones key by key and reads named clouds', () => {
    const first = write('a.conf', `${GLOBAL}\n[BlockStorage]\nrescan-on-resize = true\n`);
    const second = write(
      'b.conf',
      `[Global]
region = RegionTwo

[Global "region.two"]
auth-url = https://other.example.com/identity/v3
application-credential-id = ac
application-credential-secret = s

[BlockStorage]
ignore-volume-az = true
`,
    );
    const config = loadCloudConfig([first, second]);
    expect(config.clouds.get('')?.region).toBe('RegionTwo');
    expect(config.clouds.get('')?.username).toBe('admin');
    expect(config.clouds.get('region.two')).toEqual({
      authUrl: 'https://other.example.com/identity/v3',
      applicationCredentialId: 'ac',
      applicationCredentialSecret: 's',
    });
    expect(config.blockStorage.rescanOnResize).toBe(true);
    expect(config.blockStorage.ignoreVolumeAZ).toBe(true);
  });

  it('tolerates unknown keys and sections with exactly one warning', () => {
    const file = write('unknown.conf', `${GLOBAL}foo = bar\n[LoadBalancer]\nuse-octavia = true\n[BlockStorage]\nbar = 1\n`);
    const { lines, logger } = capture();
    loadCloudConfig([file], { logger });
    const warnings = lines.map((line) => JSON.parse(line) as { level: string; unknownKeys: string[] }).filter((l) => l.level === 'warn');
    expect(warnings).toHaveLength(1);
    expect(warnings[0].unknownKeys).toEqual(expect.arrayContaining(['[Global] foo', '[BlockStorage] bar', '[loadbalancer]']));
  });

  it('names the missing key and the file', () => {
    const file = write('missing.conf', '[Global]\nusername = admin\npassword = x\n');
    expect(() => loadCloudConfig([file])).toThrow(ConfigError);
    expect(() => loadCloudConfig([file])).toThrow(new RegExp(`${file}.*auth-url`));
    const noPassword = write('nopw.conf', '[Global]\nauth-url = http://k/v3\nusername = admin\n');
    expect(() => loadCloudConfig([noPassword])).toThrow(/"password" is missing/);
  });

  it('reads a credential-less config for a node-only plugin, still checking the other sections', () => {
    const file = write('node-only.conf', '[Global]\n[BlockStorage]\nnode-volume-attach-limit = 30\n[Metadata]\nsearch-order = metadataService\n');
    expect(() => loadCloudConfig([file])).toThrow(/auth-url/);
    const config = loadCloudConfig([file], { requireCredentials: false });
    expect(config.blockStorage.nodeVolumeAttachLimit).toBe(30);
    expect(config.metadata.searchOrder).toEqual(['metadataService']);
    const bad = write('node-bad.conf', '[BlockStorage]\nnode-volume-attach-limit = many\n');
    expect(() => loadCloudConfig([bad], { requireCredentials: false })).toThrow(/node-volume-attach-limit/);
  });

  it('rejects bad values without echoing secrets', () => {
    const file = write('bad.conf', `${GLOBAL}[BlockStorage]\nnode-volume-attach-limit = many\n`);
    expect(() => loadCloudConfig([file])).toThrow(/node-volume-attach-limit.*integer/);
    const order = write('order.conf', `${GLOBAL}[Metadata]\nsearch-order = cloudInit\n`);
    expect(() => loadCloudConfig([order])).toThrow(/search-order/);
  });

  it('fails clearly for an unreadable file', () => {
    expect(() => loadCloudConfig([path.join(dir, 'nope.conf')])).toThrow(/cannot read cloud config/);
  });

  it('fills empty fields from clouds.yaml with use-clouds', () => {
    const yamlFile = write(
      'clouds.yaml',
      `clouds:
  mycloud:
    auth:
      auth_url: https://yaml.example.com/v3
      username: yaml-user
      password: yaml-pass
      project_name: yaml-project
      user_domain_name: Default
      project_domain_name: Default
    region_name: RegionYaml
    interface: internal
    verify: false
`,
    );
    const file = write('uses.conf', `[Global]\nuse-clouds = true\nclouds-file = ${yamlFile}\ncloud = mycloud\nusername = conf-user\n`);
    const credentials = loadCloudConfig([file]).clouds.get('');
    expect(credentials).toMatchObject({
      authUrl: 'https://yaml.example.com/v3',
      username: 'conf-user',
      password: 'yaml-pass',
      projectName: 'yaml-project',
      region: 'RegionYaml',
      endpointType: 'internal',
      tlsInsecure: true,
    });
  });

  it('merges secure.yaml next to clouds.yaml', () => {
    const sub = fs.mkdtempSync(path.join(dir, 'secure-'));
    const cloudsFile = path.join(sub, 'clouds.yaml');
    fs.writeFileSync(cloudsFile, 'clouds:\n  c:\n    auth:\n      auth_url: http://s/v3\n      username: u\n      user_domain_name: Default\n');
    fs.writeFileSync(path.join(sub, 'secure.yaml'), 'clouds:\n  c:\n    auth:\n      password: from-secure\n');
    const file = write('secure.conf', `[Global]\nuse-clouds = true\nclouds-file = ${cloudsFile}\ncloud = c\n`);
    expect(loadCloudConfig([file], { env: {} }).clouds.get('')).toMatchObject({ username: 'u', password: 'from-secure' });
  });

  it('finds clouds.yaml through OS_CLIENT_CONFIG_FILE and OS_CLOUD', () => {
    const yamlFile = write('env-clouds.yaml', 'clouds:\n  envcloud:\n    auth:\n      auth_url: http://env/v3\n      application_credential_id: a\n      application_credential_secret: b\n');
    const file = write('env.conf', '[Global]\nuse-clouds = true\n');
    const credentials = loadCloudConfig([file], { env: { OS_CLIENT_CONFIG_FILE: yamlFile, OS_CLOUD: 'envcloud' } }).clouds.get('');
    expect(credentials?.applicationCredentialId).toBe('a');
    const wrong = () => loadCloudConfig([file], { env: { OS_CLIENT_CONFIG_FILE: yamlFile, OS_CLOUD: 'other' } });
    expect(wrong).toThrow(/no cloud "other".*envcloud/);
  });
});

describe('credentialsFromSecrets', () => {
  it('maps the os-* keys of CPO Manila secrets', () => {
    const credentials = credentialsFromSecrets({
      'os-authURL': 'http://k/v3',
      'os-region': 'RegionOne',
      'os-userName': 'u',
      'os-password': 'p',
      'os-projectName': 'proj',
      'os-projectDomainName': 'Default',
      'os-userDomainName': 'Default',
      'os-TLSInsecure': 'true',
      'os-certAuthority': '-----BEGIN CERTIFICATE-----',
      'os-endpointType': 'internal',
      'os-unknown': 'ignored',
    });
    expect(credentials).toEqual({
      authUrl: 'http://k/v3',
      region: 'RegionOne',
      username: 'u',
      password: 'p',
      projectName: 'proj',
      projectDomainName: 'Default',
      userDomainName: 'Default',
      tlsInsecure: true,
      caData: '-----BEGIN CERTIFICATE-----',
      endpointType: 'internal',
    });
  });

  it('rejects incomplete secrets without quoting values', () => {
    let message = '';
    try {
      credentialsFromSecrets({ 'os-authURL': 'http://k/v3', 'os-applicationCredentialID': 'id-1' });
    } catch (err) {
      message = (err as Error).message;
    }
    expect(message).toContain('os-applicationCredentialSecret');
    expect(message).not.toContain('id-1');
  });
});
