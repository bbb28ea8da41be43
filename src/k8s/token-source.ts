/**
 * Bearer tokens: static, or read from a file that is re-read so rotated service-account tokens
 * (projected, about hourly) keep working.
 * @module
 */

import type { RuntimeFs } from "../runtime/types.ts";

/**
 * How long a token read from a file is reused before the file is read again. client-go's
 * `BearerTokenFile` caches for one minute too. A 401 forces a re-read at once.
 */
export const DEFAULT_TOKEN_REFRESH_MS = 60_000;

/** Options of {@link TokenSource}. */
export interface TokenSourceOptions {
  readonly token?: string;
  readonly tokenFile?: string;
  /** Required with {@link tokenFile}. */
  readonly fs?: Pick<RuntimeFs, "readTextFile">;
  /** Re-read interval for {@link tokenFile}; 0 reads it before every request. */
  readonly refreshMs?: number;
  readonly now?: () => number;
}

/** Supplies the bearer token for each request. */
export class TokenSource {
  readonly #static: string | undefined;
  readonly #file: string | undefined;
  readonly #fs: Pick<RuntimeFs, "readTextFile"> | undefined;
  readonly #refreshMs: number;
  readonly #now: () => number;
  #cached: string | undefined;
  #readAt = Number.NEGATIVE_INFINITY;

  constructor(options: TokenSourceOptions) {
    if (options.tokenFile !== undefined && options.fs === undefined) {
      throw new Error(
        `a token file (${options.tokenFile}) needs a file system; pass the token itself where there is none`,
      );
    }
    this.#static = options.token;
    this.#file = options.tokenFile;
    this.#fs = options.fs;
    this.#refreshMs = options.refreshMs ?? DEFAULT_TOKEN_REFRESH_MS;
    this.#now = options.now ?? Date.now;
  }

  /** Whether the token comes from a file (and can change). */
  get rotates(): boolean {
    return this.#file !== undefined;
  }

  /** The current token, or `undefined` when there is none (client-certificate auth). */
  async token(): Promise<string | undefined> {
    if (this.#file === undefined) return this.#static;
    if (this.#cached === undefined || this.#now() - this.#readAt >= this.#refreshMs) await this.#read();
    return this.#cached ?? this.#static;
  }

  /** Re-reads the file now (after a 401). True when the token changed. */
  async refresh(): Promise<boolean> {
    if (this.#file === undefined) return false;
    const before = this.#cached;
    await this.#read();
    return this.#cached !== before;
  }

  async #read(): Promise<void> {
    try {
      const text = (await this.#fs!.readTextFile(this.#file!)).trim();
      if (text !== "") this.#cached = text;
      this.#readAt = this.#now();
    } catch {
      // Keep the last good token (client-go does the same); the API server will say 401 if it
      // has expired, which is a clearer error than a file-system one in the middle of a patch.
      this.#readAt = this.#now();
    }
  }
}
