/**
 * A progress view of a local run for a terminal: one line per step with its state and time,
 * redrawn in place (`live`), or one line per change (`plain`, for logs and CI). The view only
 * writes through the `write` function it is given (stderr), never stdout.
 * @module
 */
import type { StoryRunEvent } from "./events.ts";

/** How progress is shown. */
export type ProgressMode = "live" | "plain" | "off";

interface Row {
  label: string;
  phase: string;
  attempt?: number;
  message?: string;
  startedAt?: number;
  finishedAt?: number;
}

const TERMINAL = new Set([
  "Succeeded",
  "Failed",
  "Finished",
  "Canceled",
  "Compensated",
  "Timeout",
  "Aborted",
  "Skipped",
]);
const SPINNER = ["⠋", "⠙", "⠹", "⠸", "⠼", "⠴", "⠦", "⠧", "⠇", "⠏"];

function icon(phase: string, tick: number): string {
  switch (phase) {
    case "Succeeded":
      return "✓";
    case "Skipped":
      return "-";
    case "Pending":
    case "":
      return "·";
    case "Paused":
      return "‖";
    default:
      return TERMINAL.has(phase) ? "✗" : SPINNER[tick % SPINNER.length]!;
  }
}

function seconds(ms: number): string {
  return ms < 10_000
    ? `${(ms / 1000).toFixed(1)}s`
    : ms < 600_000
      ? `${Math.round(ms / 1000)}s`
      : `${Math.floor(ms / 60_000)}m${Math.round((ms % 60_000) / 1000)}s`;
}

/** Options of {@link ProgressView}. */
export interface ProgressOptions {
  readonly mode: ProgressMode;
  /** Writes text (stderr). */
  readonly write: (text: string) => void;
  /** Terminal width (live mode). */
  readonly columns?: number;
  /** Steps to show from the start, in Story order. */
  readonly steps?: readonly string[];
  /** Redraw interval in live mode (default 200ms). */
  readonly intervalMs?: number;
  readonly now?: () => number;
}

/** Renders {@link StoryRunEvent}s. Call {@link stop} at the end to leave the final picture. */
export class ProgressView {
  readonly #o: ProgressOptions;
  readonly #rows = new Map<string, Row>();
  #run: Row | undefined;
  #root: string | undefined;
  #drawn = 0;
  #tick = 0;
  #timer: ReturnType<typeof setInterval> | undefined;

  constructor(options: ProgressOptions) {
    this.#o = options;
    for (const s of options.steps ?? []) this.#rows.set(s, { label: s, phase: "" });
    if (options.mode === "live") {
      this.#timer = setInterval(() => this.#draw(), options.intervalMs ?? 200);
      (this.#timer as { unref?: () => void }).unref?.();
    }
  }

  #now(): number {
    return (this.#o.now ?? Date.now)();
  }

  /** Feeds one event. */
  readonly onEvent = (e: StoryRunEvent): void => {
    if (this.#o.mode === "off" || e.type === "log") return;
    if (e.type === "run") {
      if (e.parent === undefined) {
        this.#root ??= e.storyRun;
        this.#run = {
          label: `${e.story} (${e.storyRun})`,
          phase: e.phase,
          startedAt: this.#run?.startedAt ?? e.at,
          ...(TERMINAL.has(e.phase) ? { finishedAt: e.at } : {}),
          ...(e.message ? { message: e.message } : {}),
        };
      }
      if (this.#o.mode === "plain")
        this.#o.write(
          `${e.parent ? `${e.parent.step}/` : ""}${e.storyRun}: ${e.phase}${e.message ? ` — ${e.message}` : ""}\n`,
        );
      return;
    }
    const key = e.storyRun === this.#root || this.#root === undefined ? e.step : `${e.storyRun}/${e.step}`;
    const prev = this.#rows.get(key);
    const row: Row = {
      label: key,
      phase: e.phase,
      ...((e.attempt ?? prev?.attempt) ? { attempt: e.attempt ?? prev!.attempt! } : {}),
      ...(e.message ? { message: e.message } : {}),
      startedAt: prev?.startedAt ?? e.at,
      ...(TERMINAL.has(e.phase) ? { finishedAt: e.at } : {}),
    };
    this.#rows.set(key, row);
    // The runner and the step's own status write can report the same phase: one line per change.
    const same =
      prev !== undefined && prev.phase === row.phase && prev.attempt === row.attempt && prev.message === row.message;
    if (this.#o.mode === "plain" && !same) {
      const attempt = row.attempt && row.attempt > 1 ? ` (attempt ${row.attempt})` : "";
      const time =
        row.finishedAt !== undefined ? ` ${seconds(row.finishedAt - (row.startedAt ?? row.finishedAt))}` : "";
      this.#o.write(`${key}: ${e.phase}${attempt}${time}${e.message ? ` — ${e.message}` : ""}\n`);
    }
  };

  #line(r: Row, now: number): string {
    const span = r.startedAt === undefined ? "" : seconds((r.finishedAt ?? now) - r.startedAt);
    const attempt = r.attempt && r.attempt > 1 ? ` attempt ${r.attempt}` : "";
    const msg = r.message && TERMINAL.has(r.phase) && r.phase !== "Succeeded" ? `  ${r.message}` : "";
    const text = `  ${icon(r.phase, this.#tick)} ${r.label.padEnd(24)} ${(r.phase || "Pending").padEnd(10)} ${span.padStart(6)}${attempt}${msg}`;
    const width = Math.max(40, this.#o.columns || 80);
    return text.length > width - 1 ? `${text.slice(0, width - 2)}…` : text;
  }

  #draw(): void {
    if (this.#o.mode !== "live") return;
    this.#tick++;
    const now = this.#now();
    const lines: string[] = [];
    if (this.#run) {
      const span = seconds((this.#run.finishedAt ?? now) - (this.#run.startedAt ?? now));
      lines.push(`${this.#run.label}  ${this.#run.phase}  ${span}`);
    }
    for (const r of this.#rows.values()) lines.push(this.#line(r, now));
    // Move up over the previous picture and clear each line before writing the new one.
    let out = this.#drawn > 0 ? `\x1b[${this.#drawn}A` : "";
    for (const l of lines) out += `\r\x1b[2K${l}\n`;
    for (let i = lines.length; i < this.#drawn; i++) out += "\r\x1b[2K\n";
    this.#o.write(out);
    this.#drawn = Math.max(lines.length, this.#drawn);
  }

  /** Stops redrawing; the last picture stays. */
  stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
    this.#draw();
  }
}
