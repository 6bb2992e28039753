/**
 * Credentials from a CSI secrets map (the `os-*` keys of CPO's Manila plugin), so one session
 * implementation serves cloud.conf and per-request secrets alike.
 */
import type { Logger } from '../../log/logger';
import { silentLogger } from '../../log/logger';
import { fillFromCloudsYaml } from './clouds-yaml';
import { validateCredentials } from './cloud-conf';
import type { CloudCredentials } from './credentials';
import { parseBoolean } from './parse-values';

type StringField = Exclude<keyof CloudCredentials, 'tlsInsecure' | 'useClouds'>;

const SECRET_KEYS: Record<string, StringField> = {
  'os-authURL': 'authUrl',
  'os-region': 'region',
  'os-userID': 'userId',
  'os-userName': 'username',
  'os-password': 'password',
  'os-token': 'token',
  'os-projectID': 'projectId',
  'os-projectName': 'projectName',
  'os-projectDomainID': 'projectDomainId',
  'os-projectDomainName': 'projectDomainName',
  'os-domainID': 'domainId',
  'os-domainName': 'domainName',
  'os-userDomainID': 'userDomainId',
  'os-userDomainName': 'userDomainName',
  'os-trustID': 'trustId',
  'os-trusteeID': 'trusteeId',
  'os-trusteePassword': 'trusteePassword',
  'os-applicationCredentialID': 'applicationCredentialId',
  'os-applicationCredentialName': 'applicationCredentialName',
  'os-applicationCredentialSecret': 'applicationCredentialSecret',
  'os-endpointType': 'endpointType',
  'os-certAuthorityPath': 'caFile',
  'os-certAuthority': 'caData',
  'os-clientCertPath': 'certFile',
  'os-clientKeyPath': 'keyFile',
  'os-cloudsFile': 'cloudsFile',
  'os-cloud': 'cloud',
};

const CLOUD_CONF_TO_SECRET: Record<string, string> = {
  'auth-url': 'os-authURL',
  username: 'os-userName',
  'user-id': 'os-userID',
  password: 'os-password',
  'trust-id': 'os-trustID',
  'trustee-id': 'os-trusteeID',
  'trustee-password': 'os-trusteePassword',
  'application-credential-id': 'os-applicationCredentialID',
  'application-credential-name': 'os-applicationCredentialName',
  'application-credential-secret': 'os-applicationCredentialSecret',
};

function secretKeyFor(cloudConfKey: string): string {
  return CLOUD_CONF_TO_SECRET[cloudConfKey] ?? cloudConfKey;
}

export interface CredentialsFromSecretsOptions {
  logger?: Logger;
  env?: NodeJS.ProcessEnv;
}

export function credentialsFromSecrets(
  secrets: Record<string, string>,
  options: CredentialsFromSecretsOptions = {},
): CloudCredentials {
  let credentials: CloudCredentials = {};
  for (const [key, value] of Object.entries(secrets)) {
    const field = SECRET_KEYS[key];
    if (field && value !== '') credentials[field] = value;
  }
  if (secrets['os-TLSInsecure'] !== undefined) {
    credentials.tlsInsecure = parseBoolean(secrets['os-TLSInsecure'], 'os-TLSInsecure', 'CSI secrets');
  }
  if (secrets['os-useClouds'] !== undefined) {
    credentials.useClouds = parseBoolean(secrets['os-useClouds'], 'os-useClouds', 'CSI secrets');
  }
  if (credentials.useClouds) {
    credentials = fillFromCloudsYaml(credentials, {
      env: options.env ?? process.env,
      logger: options.logger ?? silentLogger,
      source: 'CSI secrets',
    });
  }
  validateCredentials(credentials, 'CSI secrets', secretKeyFor);
  return credentials;
}
