// Health as GitOps tools compute it, restated in our own code from their documented behaviour: fast, for
// the unit tests, and Argo CD's in place of its own rule when Argo CD's Go module cannot be had. The cluster
// suite (test/cluster/health.test.ts) runs the real ones: kstatus's Compute (sigs.k8s.io/cli-utils) and Argo
// CD's Lua rule for ACK kinds read from its module.
import type { BucketStatus } from '../../src/reconciler/model/resource.js';
import type { ArgoHealth, Kstatus } from './gitops-health-cases.js';

interface Judged {
  metadata: { generation?: number; deletionTimestamp?: string };
  status?: BucketStatus;
}

/**
 * Argo CD's built-in check for ACK kinds (*.services.k8s.aws): status.conditions in list order, the first
 * match wins: ACK.Terminal=True -> Degraded, Ready=False -> Progressing, Ready=True -> Healthy; none ->
 * Progressing.
 */
export function argoRule(status: BucketStatus | undefined): ArgoHealth {
  for (const c of status?.conditions ?? []) {
    if (c.type === 'ACK.Terminal' && c.status === 'True') return 'Degraded';
    if (c.type === 'Ready' && c.status === 'False') return 'Progressing';
    if (c.type === 'Ready' && c.status === 'True') return 'Healthy';
  }
  return 'Progressing';
}

/** What Argo CD shows: any object being deleted is Progressing ("Pending deletion"), whatever the rule says. */
export function argoHealth(object: Judged): ArgoHealth {
  return object.metadata.deletionTimestamp ? 'Progressing' : argoRule(object.status);
}

/**
 * kstatus (Flux's health checks, kstatus-based waits): deletionTimestamp -> Terminating; generation not yet
 * observed -> InProgress; Reconciling=True -> InProgress; Stalled=True -> Failed; Ready not True ->
 * InProgress; else Current.
 */
export function kstatus(object: Judged): Kstatus {
  if (object.metadata.deletionTimestamp) return 'Terminating';
  if (object.status?.observedGeneration !== undefined && object.status.observedGeneration !== object.metadata.generation) return 'InProgress';
  for (const c of object.status?.conditions ?? []) {
    if (c.type === 'Reconciling' && c.status === 'True') return 'InProgress';
    if (c.type === 'Stalled' && c.status === 'True') return 'Failed';
  }
  const ready = object.status?.conditions?.find((c) => c.type === 'Ready');
  return ready && ready.status !== 'True' ? 'InProgress' : 'Current';
}
