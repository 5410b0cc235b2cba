/** Public API of tenant provisioning. */
export {
  provisionTenants,
  parseProvisionerSpec,
  describeProvisioner,
  type ProvisionerSpec,
  type ProvisionOptions,
} from './provision-tenants.ts';
export {
  DEFAULT_TENANTS,
  MIN_TENANTS,
  REDACTED,
  ProvisioningError,
  makeCredentials,
  tenantLabel,
  type ProvisioningErrorKind,
  type TenantCredentials,
  type TenantUser,
} from './tenant-credentials.ts';
export { allSecrets, redactHeaders, redactText, SECRET_HEADER_NAMES } from './redact-secrets.ts';
export { credentialsFileSchema } from './credentials-file-provisioner.ts';
export {
  provisionResultSchema,
  type ProvisionContext,
  type ProvisionFunction,
  type ProvisionResult,
} from './module-provisioner.ts';
