/**
 * The pod statuses the process kubelet writes (merge patches of `pods/<name>/status`): what the
 * Job controller and the operator read (phase, containerStatuses[].state).
 *
 * @module
 */
import type { Json } from "./kube-api.ts";

export const HOST_IP = "127.0.0.1";

function condition(type: string, status: boolean, at: string, reason?: string): Json {
  return { type, status: status ? "True" : "False", lastTransitionTime: at, ...(reason ? { reason } : {}) };
}

function base(container: string, image: string): Json {
  return { name: container, image, imageID: `process://${image}`, restartCount: 0 };
}

/** Pending with a waiting container (no such image, an unresolvable reference). */
export function waitingStatus(container: string, image: string, reason: string, message: string): Json {
  return {
    status: {
      phase: "Pending",
      containerStatuses: [
        { ...base(container, image), ready: false, started: false, state: { waiting: { reason, message } } },
      ],
    },
  };
}

export function runningStatus(container: string, image: string, pid: number, startedAt: string): Json {
  return {
    status: {
      phase: "Running",
      hostIP: HOST_IP,
      hostIPs: [{ ip: HOST_IP }],
      podIP: HOST_IP,
      podIPs: [{ ip: HOST_IP }],
      startTime: startedAt,
      conditions: [
        condition("PodReadyToStartContainers", true, startedAt),
        condition("Initialized", true, startedAt),
        condition("Ready", true, startedAt),
        condition("ContainersReady", true, startedAt),
        condition("PodScheduled", true, startedAt),
      ],
      containerStatuses: [
        {
          ...base(container, image),
          containerID: `process://${pid}`,
          ready: true,
          started: true,
          state: { running: { startedAt } },
        },
      ],
    },
  };
}

export interface Termination {
  readonly exitCode: number;
  readonly startedAt: string;
  readonly finishedAt: string;
  readonly pid: number;
  /** Pod-level reason, e.g. DeadlineExceeded. */
  readonly podReason?: string;
  readonly podMessage?: string;
}

export function terminatedStatus(container: string, image: string, t: Termination): Json {
  const ok = t.exitCode === 0 && t.podReason === undefined;
  const reason = t.podReason === undefined ? "PodCompleted" : t.podReason;
  return {
    status: {
      phase: ok ? "Succeeded" : "Failed",
      ...(t.podReason ? { reason: t.podReason, message: t.podMessage ?? "" } : {}),
      conditions: [
        condition("PodReadyToStartContainers", false, t.finishedAt),
        condition("Initialized", true, t.startedAt),
        condition("Ready", false, t.finishedAt, reason),
        condition("ContainersReady", false, t.finishedAt, reason),
        condition("PodScheduled", true, t.startedAt),
      ],
      containerStatuses: [
        {
          ...base(container, image),
          containerID: `process://${t.pid}`,
          ready: false,
          started: false,
          state: {
            terminated: {
              exitCode: t.exitCode,
              reason: t.exitCode === 0 ? "Completed" : "Error",
              startedAt: t.startedAt,
              finishedAt: t.finishedAt,
              containerID: `process://${t.pid}`,
            },
          },
        },
      ],
    },
  };
}

/** `metav1.Time`: RFC3339, seconds precision, UTC. */
export function metaNow(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, "Z");
}
