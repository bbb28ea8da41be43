/**
 * `ImpulseHarness`: runs an impulse's `init` then `run` in-process. `ctx.stories` records each
 * start and stop instead of reaching a cluster, so a test asserts which Stories the impulse
 * would have triggered, with which inputs and tokens.
 * @module
 */

import { withStories } from "../context/create-context.ts";
import type { Stories } from "../engram/context.ts";
import type { Impulse } from "../engram/impulse.ts";
import { localStories, type StoppedStory, type TriggeredStory } from "../impulse/local-stories.ts";
import { scrubThrown } from "./scrub-thrown.ts";
import { type Captured, type HarnessOptions, testContext } from "./test-context.ts";

/** Options of an {@link ImpulseHarness}. */
export interface ImpulseHarnessOptions<C> extends Omit<HarnessOptions, "signal"> {
  /** What `defineImpulse` made (or any object with `run`, optional `init` and `schemas`). */
  readonly impulse: Pick<Impulse<C>, "init" | "run" | "secrets"> & { readonly schemas?: Impulse<C>["schemas"] };
  /** `ctx.stories.target`: the Story started when `start` names none. */
  readonly targetStory?: string;
  /** Replaces the recording stories (e.g. to make a start fail). */
  readonly stories?: Stories;
}

/** What an {@link ImpulseHarness} run produced. */
export interface ImpulseRun extends Captured {
  /** Every `ctx.stories.start`, in order. */
  readonly triggered: TriggeredStory[];
  readonly stopped: StoppedStory[];
  /** What `init` or `run` threw. */
  readonly error?: unknown;
}

/** A running impulse: stop it to end `run` (as SIGTERM would) and get the result. */
export interface RunningImpulse {
  /** Live: the Stories triggered so far. */
  readonly triggered: readonly TriggeredStory[];
  /** Aborts `ctx.signal` and waits for `run` to return. */
  stop(): Promise<ImpulseRun>;
  /** Settles when `run` returns by itself (or fails). */
  readonly finished: Promise<ImpulseRun>;
}

/**
 * Runs an impulse in a test.
 *
 * @example
 * ```ts
 * const running = new ImpulseHarness({ impulse, config: { port: 0 }, targetStory: "orders" }).start();
 * // ... send a webhook delivery ...
 * const run = await running.stop();
 * assert.deepEqual(run.triggered[0].inputs, { orderId: "A-1" });
 * ```
 */
export class ImpulseHarness<C = Record<string, unknown>> {
  readonly options: ImpulseHarnessOptions<C>;

  constructor(options: ImpulseHarnessOptions<C>) {
    this.options = options;
  }

  /** Runs `init` and `run` until `run` returns. */
  run(): Promise<ImpulseRun> {
    return this.start().finished;
  }

  /** Starts `init` and `run` in the background. */
  start(): RunningImpulse {
    const o = this.options;
    const abort = new AbortController();
    const triggered: TriggeredStory[] = [];
    const stopped: StoppedStory[] = [];
    const finished = (async (): Promise<ImpulseRun> => {
      let captured: Captured = { signals: [], effects: [], logs: [], logLines: [] };
      let release = (): void => {};
      try {
        const prepared = await testContext<C>(
          { ...o, signal: abort.signal },
          o.impulse.schemas?.config,
          o.impulse.secrets,
        );
        captured = prepared.captured;
        release = prepared.release;
        const target = o.targetStory === undefined ? undefined : { name: o.targetStory, namespace: "" };
        const stories = o.stories ?? localStories({ target, started: triggered, stopped });
        const ctx = withStories(prepared.ctx, stories);
        await o.impulse.init?.(ctx);
        await o.impulse.run(ctx);
        return { ...captured, triggered, stopped };
      } catch (error) {
        return { ...captured, triggered, stopped, error: scrubThrown(error) };
      } finally {
        release();
      }
    })();
    return {
      triggered,
      finished,
      stop() {
        abort.abort("SIGTERM");
        return finished;
      },
    };
  }
}
