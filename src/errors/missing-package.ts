/**
 * Clear errors for the SDK's optional packages: streaming needs the gRPC packages, peer
 * dependencies a project installs only when it uses them.
 * @module
 */

/** What a streaming engram (and a dual or hybrid step) needs besides the SDK. */
export const STREAMING_PACKAGES: readonly string[] = [
  "@connectrpc/connect",
  "@connectrpc/connect-node",
  "@bufbuild/protobuf",
];

/** An optional package a feature needs is not installed; the message says what to install. */
export class MissingPackageError extends Error {
  override readonly name: string = "MissingPackageError";
  /** The packages the feature needs. */
  readonly packages: readonly string[];

  constructor(message: string, packages: readonly string[], cause: unknown) {
    super(message, { cause });
    this.packages = packages;
  }
}

/**
 * For a `.catch` on a dynamic import: a module-not-found error about one of `packages` becomes
 * an error that names what to install (the original as its cause); anything else is rethrown.
 */
export function rethrowMissing(packages: readonly string[], feature: string): (err: unknown) => never {
  return (err: unknown): never => {
    const message = err instanceof Error ? err.message : String(err);
    const code = (err as { code?: unknown } | null)?.code;
    const notFound =
      code === "ERR_MODULE_NOT_FOUND" ||
      /cannot find (package|module)|could not (find|resolve)|not found/i.test(message);
    const named = packages.filter(
      (p) => message.includes(`'${p}'`) || message.includes(`"${p}"`) || message.includes(`${p}/`),
    );
    if (!notFound || named.length === 0) throw err;
    throw new MissingPackageError(
      `${feature} needs the packages ${packages.join(", ")}; install them (npm install ${packages.join(" ")})`,
      packages,
      err,
    );
  };
}
