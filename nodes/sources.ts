import type { SourceAdapter } from './source-adapter.js';
import { alertmanagerAdapter } from './source/alertmanager/ingest.js';
import { webhookAdapter } from './source/webhook/ingest.js';

/** Source type → how its deliveries are authenticated and normalized (Node-only). */
export const sourceAdapters: Record<string, SourceAdapter<any>> = {
  'source.alertmanager': alertmanagerAdapter,
  'source.webhook': webhookAdapter,
};

export function getSourceAdapter(type: string): SourceAdapter | undefined {
  return sourceAdapters[type];
}
