/**
 * One pod's life on the process kubelet: start its (single) container as a local process, report
 * Running and the termination, stop it on deletion and at `activeDeadlineSeconds` (SIGTERM, then
 * SIGKILL after the grace period), and finish a graceful deletion as a kubelet does.
 * Init containers and container restarts are not supported (the operator's Job pods use neither).
 *
 * @module
 */
import { appendFileSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { findImage, loadImages } from "./images.ts";
import { type KubeApi, KubeApiError } from "./kube-api.ts";
import { expandVars, resolveEnv } from "./pod-env.ts";
import { type RunningProcess, startProcess } from "./pod-process.ts";
import { PodConfigError, RefReader } from "./pod-refs.ts";
import { HOST_IP, metaNow, runningStatus, terminatedStatus, waitingStatus } from "./pod-status.ts";
import type { Pod } from "./pod-types.ts";
import { prepareVolumes, type TokenFile, writeToken } from "./pod-volumes.ts";

export interface KubeletContext {
  readonly api: KubeApi;
  readonly nodeName: string;
  readonly stateDir: string;
  readonly repo: string;
  readonly apiPort: string;
  /** Env every container inherits from the host (PATH, HOME). */
  readonly hostEnv: Readonly<Record<string, string>>;
  log(message: string): void;
}

type Phase = "new" | "waiting" | "running" | "done";

/** Minimum time between SIGTERM and SIGKILL, as the kubelet's. */
const MIN_GRACE_S = 2;
const RETRY_MS = 1000;

export class PodWorker {
  #pod: Pod;
  #phase: Phase = "new";
  #proc?: RunningProcess;
  #gone = false;
  #deleting = false;
  #stopping?: string;
  #timers: ReturnType<typeof setTimeout>[] = [];
  #retry?: ReturnType<typeof setTimeout>;
  #startedAt = "";
  #podReason?: { reason: string; message: string };
  #lastWait = "";
  readonly dir: string;
  readonly ctx: KubeletContext;

  constructor(pod: Pod, ctx: KubeletContext) {
    this.ctx = ctx;
    this.#pod = pod;
    this.dir = join(ctx.stateDir, "pods", `${pod.metadata.namespace ?? "default"}_${pod.metadata.name}`);
  }

  get #ref(): string {
    return `${this.#pod.metadata.namespace}/${this.#pod.metadata.name}`;
  }

  get #path(): string {
    return `/api/v1/namespaces/${this.#pod.metadata.namespace}/pods/${this.#pod.metadata.name}`;
  }

  /** The latest object from the watch. */
  update(pod: Pod): void {
    this.#pod = pod;
    if (pod.metadata.deletionTimestamp) {
      this.#deleting = true;
      const grace = pod.metadata.deletionGracePeriodSeconds ?? pod.spec.terminationGracePeriodSeconds ?? 30;
      void this.#stop("deleted", grace);
      return;
    }
    if (this.#phase === "new") void this.#start();
  }

  /** The object is gone (the final delete, or a force delete): stop without writing status. */
  removed(): void {
    this.#gone = true;
    void this.#stop("removed", this.#pod.spec.terminationGracePeriodSeconds ?? 30);
  }

  /** Kubelet shutdown: SIGTERM now, SIGKILL after `graceS`; resolves when the process is gone. */
  async shutdown(graceS: number): Promise<void> {
    this.#gone = true;
    if (this.#retry) clearTimeout(this.#retry);
    if (!this.#proc) return;
    await this.#stop("kubelet shutdown", graceS);
    await this.#proc.exited;
  }

  async #start(): Promise<void> {
    const pod = this.#pod;
    const phase = pod.status?.phase;
    if (phase === "Succeeded" || phase === "Failed") {
      this.#phase = "done";
      return;
    }
    if (!pod.spec.nodeName) return this.#bind();
    if (pod.spec.nodeName !== this.ctx.nodeName) return;
    this.#phase = "waiting";
    const container = pod.spec.containers[0]!;
    const image = container.image ?? "";
    mkdirSync(this.dir, { recursive: true });
    try {
      const entry = findImage(loadImages(join(this.ctx.stateDir, "images.d"), this.ctx.repo), image);
      if (!entry)
        throw new WaitError("ErrImagePull", `image ${image} is not in the process kubelet's image map (images.d)`);
      if (pod.spec.containers.length > 1)
        this.#note(`only the first of ${pod.spec.containers.length} containers is run`);
      if ((pod.spec.restartPolicy ?? "Always") !== "Never")
        this.#note(`restartPolicy ${pod.spec.restartPolicy ?? "Always"} is run as Never`);
      const refs = new RefReader(this.ctx.api, pod.metadata.namespace ?? "default");
      const base: Record<string, string> = {
        ...this.ctx.hostEnv,
        HOSTNAME: pod.metadata.name,
        KUBERNETES_SERVICE_HOST: HOST_IP,
        KUBERNETES_SERVICE_PORT: this.ctx.apiPort,
        KUBERNETES_SERVICE_PORT_HTTPS: this.ctx.apiPort,
        KUBERNETES_PORT: `tcp://${HOST_IP}:${this.ctx.apiPort}`,
        KUBERNETES_PORT_443_TCP: `tcp://${HOST_IP}:${this.ctx.apiPort}`,
        KUBERNETES_PORT_443_TCP_PROTO: "tcp",
        KUBERNETES_PORT_443_TCP_ADDR: HOST_IP,
        KUBERNETES_PORT_443_TCP_PORT: this.ctx.apiPort,
        // Last, so an image can point its pods at another API endpoint (the API recorder).
        ...entry.env,
      };
      const env = await resolveEnv(pod, container, refs, base, HOST_IP);
      const volumes = await prepareVolumes(pod, container, {
        refs,
        api: this.ctx.api,
        hostIP: HOST_IP,
        dir: join(this.dir, "volumes"),
      });
      for (const w of volumes.warnings) this.#note(w);
      const lookup = (n: string): string | undefined => env[n];
      const entrypoint = container.command ?? entry.command;
      const args = container.command ? (container.args ?? []) : (container.args ?? entry.args);
      const argv = [...entrypoint, ...args].map((a) => expandVars(a, lookup));
      if (argv.length === 0)
        throw new WaitError("CreateContainerError", `image ${image} has no command in the image map`);
      if (this.#gone || this.#deleting) return;
      this.#launch(
        argv,
        env,
        container.workingDir ?? entry.cwd ?? this.ctx.repo,
        volumes.mounts,
        volumes.tokens,
        container.name,
        image,
      );
    } catch (err) {
      const wait =
        err instanceof WaitError
          ? err
          : err instanceof PodConfigError
            ? new WaitError("CreateContainerConfigError", err.message)
            : undefined;
      if (!wait) this.ctx.log(`${this.#ref}: start failed: ${(err as Error).stack ?? err}`);
      const w = wait ?? new WaitError("CreateContainerError", String((err as Error).message ?? err));
      const said = `${w.reason}: ${w.message}`;
      if (said !== this.#lastWait) {
        this.#lastWait = said;
        this.#note(said);
        await this.#patchStatus(waitingStatus(container.name, image, w.reason, w.message));
      }
      // Like the kubelet: try again (an image or a Secret may appear).
      if (!this.#gone && !this.#deleting) {
        this.#retry = setTimeout(() => {
          this.#phase = "new";
          void this.#start();
        }, RETRY_MS);
      }
    }
  }

  #launch(
    argv: string[],
    env: Record<string, string>,
    cwd: string,
    mounts: Parameters<typeof startProcess>[0]["mounts"],
    tokens: TokenFile[],
    name: string,
    image: string,
  ): void {
    const proc = startProcess({
      argv,
      env,
      cwd,
      mounts,
      stdoutFile: join(this.dir, "stdout.log"),
      stderrFile: join(this.dir, "stderr.log"),
    });
    this.#proc = proc;
    this.#phase = "running";
    this.#startedAt = metaNow();
    writeFileSync(join(this.dir, "pid"), `${proc.pid}\n`);
    this.ctx.log(`${this.#ref}: started pid ${proc.pid}: ${argv.join(" ")}`);
    void this.#patchStatus(runningStatus(name, image, proc.pid, this.#startedAt));
    for (const t of tokens) this.#renewToken(t);
    const deadline = this.#pod.spec.activeDeadlineSeconds;
    if (deadline !== undefined) {
      const started = Date.parse(this.#pod.status?.startTime ?? "") || Date.now();
      this.#timers.push(
        setTimeout(
          () => {
            this.#podReason = {
              reason: "DeadlineExceeded",
              message: "Pod was active on the node longer than the specified deadline",
            };
            void this.#stop("activeDeadlineSeconds", this.#pod.spec.terminationGracePeriodSeconds ?? 30);
          },
          Math.max(0, started + deadline * 1000 - Date.now()),
        ),
      );
    }
    void proc.exited.then((exit) => this.#exited(exit.exitCode, exit.signal, name, image));
  }

  /** Renews a projected token at 80 % of its lifetime, as the kubelet does. */
  #renewToken(t: TokenFile): void {
    this.#timers.push(
      setTimeout(() => {
        if (this.#phase !== "running") return;
        writeToken(this.ctx.api, this.#pod, t).then(
          () => this.#renewToken(t),
          (err) => this.ctx.log(`${this.#ref}: token renewal failed: ${(err as Error).message}`),
        );
      }, t.expirationSeconds * 800),
    );
  }

  async #stop(why: string, graceS: number): Promise<void> {
    if (this.#retry) clearTimeout(this.#retry);
    const proc = this.#proc;
    if (!proc || this.#phase !== "running") {
      if (this.#phase !== "running") this.#phase = "done";
      if (this.#deleting && !this.#gone) await this.#finalDelete();
      return;
    }
    if (this.#stopping) return;
    this.#stopping = why;
    const grace = Math.max(graceS, MIN_GRACE_S);
    this.ctx.log(`${this.#ref}: ${why}: SIGTERM to pid ${proc.pid}, SIGKILL in ${grace} s`);
    proc.kill("SIGTERM");
    const kill = setTimeout(() => {
      this.ctx.log(`${this.#ref}: grace period over: SIGKILL`);
      proc.kill("SIGKILL");
    }, grace * 1000);
    await proc.exited;
    clearTimeout(kill);
  }

  async #exited(exitCode: number, signal: string | undefined, name: string, image: string): Promise<void> {
    for (const t of this.#timers) clearTimeout(t);
    this.#timers = [];
    this.#phase = "done";
    const finishedAt = metaNow();
    writeFileSync(join(this.dir, "exit"), `${exitCode}${signal ? ` ${signal}` : ""}\n`);
    this.ctx.log(`${this.#ref}: pid ${this.#proc?.pid} exited ${exitCode}${signal ? ` (${signal})` : ""}`);
    if (this.#gone) return;
    await this.#patchStatus(
      terminatedStatus(name, image, {
        exitCode,
        startedAt: this.#startedAt,
        finishedAt,
        pid: this.#proc?.pid ?? 0,
        podReason: this.#podReason?.reason,
        podMessage: this.#podReason?.message,
      }),
    );
    if (this.#deleting) await this.#finalDelete();
  }

  /** The kubelet's last word on a gracefully deleted pod: delete it now, this very object only. */
  async #finalDelete(): Promise<void> {
    if (this.#gone) return;
    this.#gone = true;
    const res = await this.ctx.api.raw("DELETE", this.#path, {
      apiVersion: "v1",
      kind: "DeleteOptions",
      gracePeriodSeconds: 0,
      preconditions: { uid: this.#pod.metadata.uid },
    });
    if (res.status !== 200 && res.status !== 404 && res.status !== 409)
      this.ctx.log(`${this.#ref}: final delete: HTTP ${res.status} ${res.body.slice(0, 200)}`);
  }

  /** Schedules the pod here (there is no scheduler): the Binding subresource. */
  async #bind(): Promise<void> {
    const scheduler = this.#pod.spec.schedulerName ?? "default-scheduler";
    if (scheduler !== "default-scheduler") return;
    const res = await this.ctx.api.raw("POST", `${this.#path}/binding`, {
      apiVersion: "v1",
      kind: "Binding",
      metadata: { name: this.#pod.metadata.name, uid: this.#pod.metadata.uid },
      target: { apiVersion: "v1", kind: "Node", name: this.ctx.nodeName },
    });
    // 409: bound already (the MODIFIED event with spec.nodeName follows and starts the pod).
    if (res.status !== 201 && res.status !== 200 && res.status !== 409)
      this.ctx.log(`${this.#ref}: binding: HTTP ${res.status} ${res.body.slice(0, 200)}`);
  }

  async #patchStatus(patch: unknown): Promise<void> {
    if (this.#gone) return;
    try {
      await this.ctx.api.mergePatch(`${this.#path}/status`, patch);
    } catch (err) {
      if (err instanceof KubeApiError && err.status === 404) return;
      this.ctx.log(`${this.#ref}: status patch failed: ${(err as Error).message}`);
    }
  }

  /** A line in the pod's stderr log, where a test failure message will show it. */
  #note(message: string): void {
    try {
      appendFileSync(join(this.dir, "stderr.log"), `[process-kubelet] ${message}\n`);
    } catch {
      // The pod dir is gone (state wiped); the kubelet log still has it.
    }
    this.ctx.log(`${this.#ref}: ${message}`);
  }
}

class WaitError extends Error {
  readonly reason: string;

  constructor(reason: string, message: string) {
    super(message);
    this.reason = reason;
  }
}
