import type { Alert } from '../../shared/alert/schema.js';
import { secretHeaders } from './auth.js';
import { notStartedReasonFor, type SourceOn } from './common.js';

/** The config fields every webhook source shares (see `sourceBaseShape`); cloudwatch's `auth` is optional. */
interface BaseSourceConfig {
  allowFrom?: readonly string[];
  auth?: { type: string; name?: string };
  on: SourceOn;
}

/**
 * What every webhook source answers alike from its shared fields: its IP allowlist, the header
 * its secret travels in, and why `on` kept an alert from starting a run. Spread into an adapter.
 */
export const webhookBase = {
  allowFrom: (config: BaseSourceConfig) => config.allowFrom,
  sensitiveHeaders: (config: BaseSourceConfig) => secretHeaders(config.auth),
  notStartedReason: (config: BaseSourceConfig, alert: Alert) => notStartedReasonFor(config.on, alert),
};
