/**
 * The seam between the runtime-agnostic core and Bun, Deno or Node.
 *
 * The core never touches `process`, `Bun` or `Deno`; it receives a {@link Runtime}
 * (see `detect.ts`) and calls these functions instead.
 * @module
 */

/**
 * A `@connectrpc/connect` `Transport`, by shape: the SDK's public types must not name the
 * optional gRPC packages (a project without them would not type-check). The streaming code, which
 * has them, uses it as a `Transport`.
 */
export interface ConnectTransport {
  unary(...args: never[]): Promise<unknown>;
  stream(...args: never[]): Promise<unknown>;
}

/** A `@bufbuild/protobuf` message, by shape (see {@link ConnectTransport}). */
export interface ProtoMessage {
  readonly $typeName: string;
}

/** Which JavaScript runtime the process runs on. */
export type RuntimeName = "bun" | "deno" | "node";

/** Process signals the SDK listens for. */
export type ProcessSignal = "SIGTERM" | "SIGINT";

/** A `fetch` with the Web signature. */
export type FetchFn = (input: string | URL | Request, init?: RequestInit) => Promise<Response>;

/** TLS settings for {@link Runtime.createTlsFetch}. PEM strings, never file paths. */
export interface TlsFetchOptions {
  /** PEM CA bundle to trust instead of the system roots. */
  readonly ca?: string;
  /** PEM client certificate chain to present. */
  readonly cert?: string;
  /** PEM private key of {@link cert}. */
  readonly key?: string;
  /** Expected server name when it differs from the URL host (SNI and verification). */
  readonly serverName?: string;
}

/** A fetch bound to a TLS configuration, with a way to release its connections. */
export interface TlsFetch {
  readonly fetch: FetchFn;
  /**
   * The same exchange without the Fetch API's `Headers`, `Request` and `Response`, where making
   * them costs start-up time (on Node the first one loads Node's bundled fetch: about 40 ms of CPU
   * and 13 MiB). The Kubernetes client uses it when the adapter has it.
   */
  readonly exchange?: (request: HttpExchange) => Promise<HttpReply>;
  /** Closes pooled connections. Idempotent. */
  close(): Promise<void>;
}

/** One request of {@link TlsFetch.exchange}. Redirects are not followed. */
export interface HttpExchange {
  readonly method: string;
  readonly url: string;
  /** Header names in lower case. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string | Uint8Array;
  readonly signal?: AbortSignal;
}

/**
 * The answer of {@link TlsFetch.exchange}: read it once, with `text()` or through `body`. Failures
 * (connection, TLS, abort) are those the adapter's `fetch` rejects with.
 */
export interface HttpReply {
  readonly status: number;
  text(): Promise<string>;
  /** The body as a stream (a watch); `null` when there is none. */
  readonly body: ReadableStream<Uint8Array> | null;
  /** Discards the body and releases the connection. */
  cancel(): Promise<void>;
}

/** Where a gRPC transport connects: a unix socket, or a TCP host and port. */
export type GrpcTarget =
  | { readonly kind: "unix"; readonly path: string }
  | { readonly kind: "tcp"; readonly host: string; readonly port: number };

/** Options of {@link Runtime.createGrpcTransport}. */
export interface GrpcTransportOptions {
  readonly target: GrpcTarget;
  /** TLS 1.3 (system roots unless `ca`); plaintext h2c when false. Ignored for unix sockets. */
  readonly tls: boolean;
  /** PEM CA bundle to trust instead of the system roots (tests, private CAs). */
  readonly ca?: string;
  /** Expected server name when it differs from the host. */
  readonly serverName?: string;
  /** Connection deadline, including TLS; also the `ready()` budget. */
  readonly connectTimeoutMs?: number;
  /** Per-message receive limit (bytes). */
  readonly readMaxBytes?: number;
  /** Per-message send limit (bytes). */
  readonly writeMaxBytes?: number;
  /** How to name the endpoint in errors. */
  readonly label?: string;
  /**
   * Request encoders for streaming calls, by message type name, used instead of `toBinary`:
   * they write the message straight into the outgoing gRPC frame.
   */
  readonly encoders?: Readonly<Record<string, RequestEncoder>>;
  /**
   * Called after each request of that type (by message type name) of a streaming call was
   * written to the connection, in write order; with the error when the write failed. Written
   * is not received: see {@link GrpcTransport.confirmRead}.
   */
  readonly onWritten?: Readonly<Record<string, (error?: unknown) => void>>;
  /**
   * Response decoders for streaming calls, by message type name, tried before `fromBinary`:
   * `undefined` leaves the message to `fromBinary`.
   */
  readonly decoders?: Readonly<Record<string, ResponseDecoder>>;
}

/** A message sized for the wire; `writeTo` (called once) writes exactly `size` bytes (what `toBinary` gives). */
export interface EncodedMessage {
  readonly size: number;
  writeTo(out: Uint8Array, at: number): void;
  /**
   * The whole gRPC message (the 5-byte length prefix, then the `size` bytes), when the encoder
   * already holds it: written as it is, without a copy, and possibly more than once.
   */
  readonly frame?: Uint8Array;
}

/** Sizes a message for the wire (see `GrpcTransportOptions.encoders`). */
export type RequestEncoder = (message: ProtoMessage) => EncodedMessage;

/** Reads one response message, or gives `undefined` to leave it to `fromBinary` (see `GrpcTransportOptions.decoders`). */
export type ResponseDecoder = (bytes: Uint8Array) => ProtoMessage | undefined;

/** A Connect transport over one HTTP/2 connection. */
export interface GrpcTransport {
  /** A `@connectrpc/connect` Transport (gRPC protocol, binary, no compression). */
  readonly transport: ConnectTransport;
  /** Resolves once the connection is up (retrying until `connectTimeoutMs`), like gRPC's WaitForReady. */
  ready(signal?: AbortSignal): Promise<void>;
  /** Closes the connection and every stream on it. Idempotent. */
  close(): void;
  /**
   * Resolves once the peer confirmed that its HTTP/2 layer has read every frame this
   * connection wrote before the call (call it after the writes' `onWritten`); rejects when the
   * connection is gone. It sends an empty HTTP/2 SETTINGS frame, which the peer must
   * acknowledge after what came before it and which changes no setting. Absent where the
   * runtime's HTTP/2 client cannot (Deno's acknowledges only the first one).
   */
  confirmRead?(): Promise<void>;
}

/** The result of `lstat`: a symlink is reported as a symlink, not followed. */
export interface FileInfo {
  readonly isFile: boolean;
  readonly isDirectory: boolean;
  readonly isSymlink: boolean;
  readonly size: number;
}

/** One entry of a directory listing. */
export interface DirEntry {
  readonly name: string;
  readonly isFile: boolean;
  readonly isDirectory: boolean;
  readonly isSymlink: boolean;
}

/** The file-system subset the SDK needs (secrets, kubeconfig, file storage, local mode). */
export interface RuntimeFs {
  readFile(path: string): Promise<Uint8Array>;
  readTextFile(path: string): Promise<string>;
  /** Writes the whole file, creating or truncating it. */
  writeFile(path: string, data: Uint8Array | string): Promise<void>;
  /** Appends to the file, creating it when missing. */
  appendFile(path: string, data: Uint8Array | string): Promise<void>;
  /** Creates the file only if it does not exist; resolves false (and writes nothing) when it does. */
  createNew(path: string, data: Uint8Array | string): Promise<boolean>;
  /** Atomic within one file system. */
  rename(from: string, to: string): Promise<void>;
  /** Recursive, no error when it exists. */
  mkdir(path: string): Promise<void>;
  /** Removes a file or an empty directory; recursive when asked. No error when missing. */
  remove(path: string, options?: { recursive?: boolean }): Promise<void>;
  lstat(path: string): Promise<FileInfo>;
  /** Resolves symlinks to an absolute path. */
  realPath(path: string): Promise<string>;
  readDir(path: string): Promise<DirEntry[]>;
}

/**
 * Everything runtime-specific the core uses. One implementation per runtime lives in
 * `src/runtime/<name>/`; `detectRuntime()` picks it.
 */
export interface Runtime {
  readonly name: RuntimeName;
  /** The runtime's version string, e.g. `1.4.5`. */
  readonly version: string;
  /** One environment variable, or `undefined` when unset. */
  env(name: string): string | undefined;
  /** A snapshot of the whole environment. */
  envAll(): Record<string, string>;
  /** Command-line arguments after the script name. */
  args(): string[];
  cwd(): string;
  homeDir(): string | undefined;
  /** Process id, for log lines. */
  pid(): number;
  /** Writes to stdout synchronously enough that a following `exit` does not lose it. */
  writeStdout(text: string): void;
  writeStderr(text: string): void;
  /** Ends the process with `code` after stdout/stderr are flushed. */
  exit(code: number): never;
  /**
   * Registers a listener; while at least one is registered the runtime's default
   * action (termination) is suppressed. Returns a function that removes it.
   */
  onSignal(signal: ProcessSignal, listener: () => void): () => void;
  readonly fs: RuntimeFs;
  /** A fetch that trusts `ca` (only) and presents `cert`/`key` when given. TLS is always verified. */
  createTlsFetch(options: TlsFetchOptions): TlsFetch;
  /** An HTTP/2 gRPC transport (Connect) to a sidecar or server; see {@link GrpcTransportOptions}. */
  createGrpcTransport(options: GrpcTransportOptions): Promise<GrpcTransport>;
  /** Standard input as byte chunks (local streaming mode reads NDJSON from it). */
  readStdin(): AsyncIterable<Uint8Array>;
  /**
   * Serves HTTP/1.1 with a fetch-style handler (webhook impulses). Resolves once listening;
   * aborting `options.signal` or calling `close` stops it. See {@link ServeOptions}.
   */
  serve(handler: FetchHandler, options: ServeOptions): Promise<HttpServer>;
}

/** A fetch-style request handler. */
export type FetchHandler = (request: Request) => Promise<Response>;

/** Options of {@link Runtime.serve}. */
export interface ServeOptions {
  /** TCP port; 0 picks a free one (see {@link HttpServer.port}). */
  readonly port: number;
  /** Interface to bind; default `0.0.0.0` (a pod must be reachable through its Service). */
  readonly hostname?: string;
  /** Stops the server when aborted. */
  readonly signal?: AbortSignal;
}

/** A listening server. */
export interface HttpServer {
  readonly hostname: string;
  /** The bound port (the real one when 0 was asked). */
  readonly port: number;
  /** Stops accepting, ends open connections after in-flight responses; idempotent. */
  close(): Promise<void>;
  /** Settles when the server has stopped. */
  readonly finished: Promise<void>;
}
