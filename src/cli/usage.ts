/**
 * The help texts of `bubu` and its commands.
 * @module
 */

/** `bubu --help`, and what a bad command line prints. */
export const MAIN_USAGE = `Usage: bubu <command> [options]

Commands:
  init <dir>        create a project: an engram or impulse, its test, template and Dockerfile
  run <file>        run a component on this machine (no cluster)
  template <file>   print its EngramTemplate or ImpulseTemplate YAML
  build <file>      compile it into one executable (bun build --compile)
  story run <file>  run a whole Story on this machine, each Engram step a local process

Run "bubu <command> --help" for a command's options.
`;

/** `bubu story` (no command) and `bubu story --help`: its commands. */
export const STORY_COMMANDS_USAGE = `Usage: bubu story <command> [options]

Commands:
  run <story.yaml>  run a whole Story on this machine, each Engram step a local process

Run "bubu story run --help" for its options.
`;

/** `bubu init --help`. */
export const INIT_USAGE = `Usage: bubu init <dir> --kind batch|streaming|impulse|dual [options]

Creates <dir> (which must be empty or missing) with a component that passes its own tests:
  engram.ts | impulse.ts, its test (the @bubustack/sdk/testkit harness), package.json or
  deno.json (scripts start, test, typecheck, template, build; start runs the example with
  example inputs), tsconfig.json, Engram.yaml | Impulse.yaml, Dockerfile, .dockerignore,
  .gitignore and a README with the next commands, which it also prints.

Options:
  --kind KIND        batch (a Job step), streaming (a long-lived stream processor), impulse
                     (starts Stories) or dual (batch and streaming in one engram)
  --runtime RT       bun, deno or node (default node): the package manager, test runner and
                     start command the project uses
  --name NAME        the component and template name (default the folder name)
  --sdk SPEC         the @bubustack/sdk dependency (default ^VERSION): a version range,
                     npm:… / jsr:… (deno), or a path to a packed .tgz or a folder; for deno a
                     .tgz is unpacked into <dir>/vendor/bubustack-sdk and linked (deno.json
                     links), since deno install cannot install a file: dependency
`;

/** `bubu run --help`. */
export const RUN_USAGE = `Usage: bubu run <file> [--export NAME] [options]

Runs the component that <file> exports, as start() would, on this machine: no cluster, signals,
effects and log lines printed as JSON lines on stderr (and appended to BUBU_LOCAL_EVENTS_FILE),
effects.once claims kept in BUBU_LOCAL_STATE_DIR (default .bubu/).

  --export NAME             which export, when the file has several components

Batch engrams (and dual engrams in batch mode):
  --inputs JSON|FILE        the inputs (default BUBU_TRIGGER_DATA)
  --config JSON|FILE        the config (default BUBU_STEP_CONFIG)
  Prints the output JSON on stdout; exit 0 success, 1 failure, 124 timeout.

Streaming engrams (and dual engrams with --mode streaming):
  --config JSON|FILE        the config
  Reads one message per line on stdin and writes one per line on stdout, each
    {"kind":"data","payload":{…},"metadata":{…}}
  (payload: any JSON object; metadata: string values; both optional). Ends at end of input.

Dual engrams:
  --mode batch|streaming    which half to run (default BUBU_EXECUTION_MODE, else batch)

Impulses:
  --config JSON|FILE        the config
  --story NAME              the Story ctx.stories.start() starts when it names none
  --run-story FILE          run each triggered Story from FILE with the local Story runner
                            (its Engram commands from engrams.yaml beside it, or --engrams FILE);
                            one log line per finished Story, with its logs folder if it failed
  --env KEY=VALUE           with --run-story: environment of every engram process, e.g. the
                            engrams' BUBU_SECRET_* (repeatable; the impulse's own are not passed)
  --resources FILE          with --run-story: more manifests (Engrams, templates, sub-Stories)
  Story starts are printed (story, inputs, token), not sent. Stop with Ctrl-C.
`;

/** `bubu template --help`. */
export const TEMPLATE_USAGE = `Usage: bubu template <file> [options] > Engram.yaml

Prints the EngramTemplate (batch, streaming, dual) or ImpulseTemplate (impulse) of the component
that <file> exports: configSchema, inputSchema and outputSchema from its valibot schemas,
secretSchema from its secrets declarations, supportedModes from its kind.

  --name NAME          metadata.name (default the component's name, else the project's)
  --version VERSION    spec.version (default the project's version, else 0.1.0)
  --image IMAGE        spec.image
  --description TEXT   spec.description (default the project's description)
  --export NAME        which export, when the file has several components
`;

/** `bubu build --help`. */
export const BUILD_USAGE = `Usage: bubu build <file> [--outfile PATH] [--export NAME]

Compiles <file> and everything it imports into one executable with bun build --compile
--bytecode --format=esm (the project's bun devDependency, else bun on the PATH; under Deno
without Bun: deno compile), and prints its size. SDK packages the project lacks (the gRPC ones in
a batch project) become stubs that throw when loaded. The binary starts the component <file>
exports, as bubu run <file> does (its own if (import.meta.main) await start(x) does not run
in the binary, so the component starts once); a file without one is refused.
For a container image, see the project's Dockerfile: it runs this in a build stage and copies
the binary into a small base image as a non-root user.

  --outfile PATH       where to write it (default dist/<file name without extension>)
  --export NAME        the component to start, when the file exports several
`;
