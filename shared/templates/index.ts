import { backupFailedRetry } from './backup-failed-retry.js';
import { certificateExpiryNotify } from './certificate-expiry-notify.js';
import { diskFullCleanup } from './disk-full-cleanup.js';
import { flappingEscalate } from './flapping-escalate.js';
import { grafanaAlertTicket } from './grafana-alert-ticket.js';
import { highCpuDiagnostics } from './high-cpu-diagnostics.js';
import { k8sCrashloopRestart } from './k8s-crashloop-restart.js';
import { k8sDiskPressureCleanup } from './k8s-disk-pressure-cleanup.js';
import { k8sNodeNotReadyCordon } from './k8s-node-not-ready-cordon.js';
import { serviceDownRestart } from './service-down-restart.js';
import type { FlowTemplate } from './template.js';

export type { FlowTemplate } from './template.js';

/** Every template "New from template" offers, in the order the gallery shows them. */
export const flowTemplates: readonly FlowTemplate[] = [
  diskFullCleanup,
  serviceDownRestart,
  highCpuDiagnostics,
  certificateExpiryNotify,
  k8sCrashloopRestart,
  k8sNodeNotReadyCordon,
  k8sDiskPressureCleanup,
  backupFailedRetry,
  grafanaAlertTicket,
  flappingEscalate,
];

/** The template `id`, or undefined when there is none. */
export function getFlowTemplate(id: string): FlowTemplate | undefined {
  return flowTemplates.find((t) => t.id === id);
}
