import type { ManualTrigger } from '../../source-trigger.js';
import type { ManualConfig } from './definition.js';
import { manualAlert } from './ingest.js';

/** How `source.manual` starts a run: the payload becomes `event`, and shapes the alert (see manualAlert). */
export const manualTrigger: ManualTrigger<ManualConfig> = {
  kind: 'manual',
  alert: manualAlert,
};
