// The audit plugin.
export { AUDIT_RESOURCE, AUDIT_SECRET_MARKER, AuditPlugin } from './audit-plugin.js';
export type { AuditPluginOptions, AuditRecord } from './audit-plugin.js';
