/**
 * What an edge impulse needs on the cluster peer: a namespace with a Story to start and an
 * Impulse to count on, and a ServiceAccount whose token may do only what the impulse does
 * (create and read StoryTriggers, read StoryRuns and Stories, update the Impulse's status).
 *
 * @module
 */

import { e2eNamespace } from "../e2e/story-run.ts";
import type { Json, KubeApi } from "../peers/cluster/kube-api.ts";
import type { ClusterPeer } from "../peers/cluster/peer.ts";

/** The RBAC rules of the impulse's ServiceAccount (also in examples/edge-impulse/README.md). */
export const IMPULSE_RULES: readonly Json[] = [
  { apiGroups: ["runs.bubustack.io"], resources: ["storytriggers"], verbs: ["create", "get"] },
  { apiGroups: ["runs.bubustack.io"], resources: ["storyruns"], verbs: ["get"] },
  { apiGroups: ["bubustack.io"], resources: ["stories"], verbs: ["get"] },
  { apiGroups: ["bubustack.io"], resources: ["impulses"], verbs: ["get"] },
  { apiGroups: ["bubustack.io"], resources: ["impulses/status"], verbs: ["patch"] },
];

export interface EdgeCluster {
  readonly api: KubeApi;
  readonly ns: string;
  readonly story: string;
  readonly impulse: string;
  /** A bearer token of the impulse's ServiceAccount. */
  readonly token: string;
  close(): Promise<void>;
}

/** A namespace with the Story `greet`, the Impulse `edge-hook` and a token for the impulse. */
export async function edgeCluster(peer: ClusterPeer, prefix: string): Promise<EdgeCluster> {
  const { api, ns, close } = await e2eNamespace(peer, prefix);
  try {
    const story = "greet";
    const impulse = "edge-hook";
    await api.json("POST", `/apis/bubustack.io/v1alpha1/namespaces/${ns}/stories`, {
      apiVersion: "bubustack.io/v1alpha1",
      kind: "Story",
      metadata: { name: story },
      spec: { steps: [{ name: "nap", type: "sleep", with: { duration: "1s" } }] },
    });
    await api.json("POST", `/apis/bubustack.io/v1alpha1/namespaces/${ns}/impulses`, {
      apiVersion: "bubustack.io/v1alpha1",
      kind: "Impulse",
      metadata: { name: impulse },
      spec: { templateRef: { name: "webhook" }, storyRef: { name: story } },
    });
    const sa = "edge-impulse";
    await api.json("POST", `/api/v1/namespaces/${ns}/serviceaccounts`, {
      apiVersion: "v1",
      kind: "ServiceAccount",
      metadata: { name: sa },
    });
    await api.json("POST", `/apis/rbac.authorization.k8s.io/v1/namespaces/${ns}/roles`, {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "Role",
      metadata: { name: sa },
      rules: IMPULSE_RULES,
    });
    await api.json("POST", `/apis/rbac.authorization.k8s.io/v1/namespaces/${ns}/rolebindings`, {
      apiVersion: "rbac.authorization.k8s.io/v1",
      kind: "RoleBinding",
      metadata: { name: sa },
      roleRef: { apiGroup: "rbac.authorization.k8s.io", kind: "Role", name: sa },
      subjects: [{ kind: "ServiceAccount", name: sa, namespace: ns }],
    });
    const request = await api.json<{ status: { token: string } }>(
      "POST",
      `/api/v1/namespaces/${ns}/serviceaccounts/${sa}/token`,
      {
        apiVersion: "authentication.k8s.io/v1",
        kind: "TokenRequest",
        spec: { expirationSeconds: 3600 },
      },
    );
    return { api, ns, story, impulse, token: request.status.token, close };
  } catch (err) {
    await close();
    throw err;
  }
}

/** The StoryTriggers and StoryRuns of the namespace, by name. */
export async function runsIn(api: KubeApi, ns: string): Promise<{ triggers: Json[]; storyRuns: Json[] }> {
  const triggers = await api.get<{ items: Json[] }>(`/apis/runs.bubustack.io/v1alpha1/namespaces/${ns}/storytriggers`);
  const storyRuns = await api.get<{ items: Json[] }>(`/apis/runs.bubustack.io/v1alpha1/namespaces/${ns}/storyruns`);
  return { triggers: triggers.items, storyRuns: storyRuns.items };
}
