/**
 * Progress events of a local run, for a progress view or a log.
 * @module
 */

/** Something changed in a run. */
export type StoryRunEvent =
  | {
      readonly type: "run";
      readonly storyRun: string;
      readonly story: string;
      /** `Running` at the start, the final phase at the end. */
      readonly phase: string;
      readonly message?: string;
      /** Set for a sub-run: the parent run and step. */
      readonly parent?: { readonly storyRun: string; readonly step: string };
      readonly at: number;
    }
  | {
      readonly type: "step";
      readonly storyRun: string;
      readonly step: string;
      readonly phase: string;
      readonly message?: string;
      /** Engram steps: the attempt that is running or ended. */
      readonly attempt?: number;
      readonly at: number;
    }
  | {
      readonly type: "log";
      readonly storyRun: string;
      readonly step: string;
      readonly attempt: number;
      readonly stream: "stdout" | "stderr";
      /** One line of the process's output, without the newline. */
      readonly line: string;
      readonly at: number;
    };

/** Receives events; must not throw (errors are ignored). */
export type StoryRunListener = (event: StoryRunEvent) => void;
