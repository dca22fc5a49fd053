// How the jobs component finds the cluster of the same gateway (runtime/util/context-link.ts). Only types are imported
// from runtime/cluster, so a gateway without a cluster still loads none of its Raft code through jobs.
import type { ClusterOp } from '../cluster/cluster-component.js';
import type { ClusterStateData } from '../cluster/state/cluster-state.js';
import { contextLink } from '../util/context-link.js';

/** what jobs need of ClusterComponent: is it on, its replicated state, proposals through the leader, a read barrier */
export interface ClusterLink {
  readonly enabled: boolean;
  /** throws while the cluster node is not running */
  readonly state: { readonly data: Readonly<ClusterStateData> };
  submit(op: ClusterOp): Promise<unknown>;
  read(): Promise<void>;
}

const link = contextLink<ClusterLink>();
export const provideCluster = link.provide;
export const clusterOf = link.of;
