// The cluster as a gateway component. It registers the cluster API methods whether or not the cluster is enabled
// (so docs list them; a disabled cluster answers "unavailable"), and loads the Raft node (cluster-node.ts: raft, host,
// state, storage, the MQTT transport and mqtt.js) only when cluster.enabled, so a single gateway does not carry them.
import type { Component, GatewayContext } from '../component.js';
import { registerClusterMethods } from './cluster-api.js';
import type { ClusterNode, ClusterOp } from './cluster-node.js';
import type { ClusterState } from './state/cluster-state.js';

export type { ClusterOp } from './cluster-node.js';

export class ClusterComponent implements Component {
  readonly name = 'cluster';
  /** created on the first start with the cluster enabled and kept (with its state) across stop and start */
  #node: ClusterNode | undefined;

  constructor(readonly ctx: GatewayContext) {
    registerClusterMethods(ctx.api, this);
  }

  get enabled(): boolean {
    return this.ctx.config.cluster.enabled;
  }

  async start(): Promise<void> {
    if (!this.enabled) return;
    if (!this.#node) {
      const { ClusterNode } = await import('./cluster-node.js');
      this.#node ??= new ClusterNode(this.ctx);
    }
    await this.#node.start();
  }

  async stop(): Promise<void> {
    await this.#node?.stop();
  }

  /** the replicated state this node has applied */
  get state(): ClusterState {
    return this.#need().state;
  }

  /** Runs `op` on the leader: here if this node leads, else forwarded to the leader this node knows. */
  async submit(op: ClusterOp): Promise<unknown> {
    return this.#need().submit(op);
  }

  /** A linearizable read barrier (ReadIndex): afterwards `state` reflects every write acknowledged before the call. */
  read(): Promise<void> {
    return this.#need().read();
  }

  /** This node's own view: role, term, commit, members with their URLs and, on the leader, each follower's lag. */
  localStatus(): Record<string, unknown> {
    return this.#need().localStatus();
  }

  #need(): ClusterNode {
    if (this.#node) return this.#node;
    const why = this.enabled ? 'cluster is not running' : 'cluster is not enabled (cluster.enabled is false)';
    throw Object.assign(new Error(why), { code: 'unavailable' });
  }
}
