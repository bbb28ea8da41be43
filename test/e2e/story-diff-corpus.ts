/**
 * The Stories of the differential tests (story-diff.test.ts): each runs once on the cluster peer
 * (the real operator) and once through the local runner, with engrams/story-diff-engram.ts as
 * the only engram. The same manifests go to both sides; only the EngramTemplate's name carries
 * the namespace (templates are cluster-scoped).
 *
 * @module
 */
import { parseManifests } from "../../src/story/load.ts";
import type { StoryResources } from "../../src/story/types.ts";

/**
 * Where offloaded outputs go in the cluster: the S3 peer. The Story names no Secret: the operator
 * only copies a storage Secret named in its own configuration into a run's namespace (any other
 * `secretRef` keeps the Job from being created), so the pods get their keys from the node, as
 * with workload identity (the image map's env).
 */
export interface S3Target {
  readonly endpoint: string;
  readonly region: string;
  readonly bucket: string;
}

/** One Story of the corpus, the inputs of its run, and how it ends on the cluster. */
export interface CorpusStory {
  readonly story: string;
  readonly what: string;
  readonly inputs: Record<string, unknown>;
  /** The StoryRun's phase, and how many engram processes (pods) ran, sub-runs included. */
  readonly expect: { readonly phase: string; readonly pods: number };
}

export const CORPUS: readonly CorpusStory[] = [
  {
    story: "linear",
    what: "three steps in a chain, inputsSchema defaults, Story output",
    inputs: { who: "Ada" },
    expect: { phase: "Succeeded", pods: 3 },
  },
  {
    story: "fanout",
    what: "one step fans out to three, a fourth joins them",
    inputs: { count: 2 },
    expect: { phase: "Succeeded", pods: 5 },
  },
  {
    story: "branches",
    what: "`if` true, `if` false (Skipped), a step that needs the skipped one (and the taken one)",
    inputs: { go: true },
    expect: { phase: "Succeeded", pods: 3 },
  },
  {
    story: "allow-failure",
    what: "a failing step with allowFailure, the run goes on",
    inputs: {},
    expect: { phase: "Succeeded", pods: 2 },
  },
  {
    story: "allow-failure-quiet",
    what: "the same without a Story output (the message names the allowed failure)",
    inputs: {},
    expect: { phase: "Succeeded", pods: 1 },
  },
  {
    story: "fail-fast",
    what: "a failing step without allowFailure: dependents skipped, the run fails",
    inputs: {},
    expect: { phase: "Failed", pods: 2 },
  },
  {
    story: "blocked-input",
    what: "a `with` reads a key its finished dependency did not produce",
    inputs: {},
    expect: { phase: "Failed", pods: 1 },
  },
  {
    story: "retried",
    what: "a retryable failure on the first attempt, success on the second",
    inputs: {},
    expect: { phase: "Succeeded", pods: 2 },
  },
  {
    story: "timeout",
    what: "a step that outlives its execution.timeout, no retries",
    inputs: {},
    expect: { phase: "Failed", pods: 1 },
  },
  {
    story: "offload",
    what: "an output over the inline limit goes to storage; the next step reads it",
    inputs: {},
    expect: { phase: "Succeeded", pods: 2 },
  },
  {
    story: "parent",
    what: "an executeStory step runs the Story `child` and waits for it",
    inputs: { topic: "tea" },
    expect: { phase: "Succeeded", pods: 3 },
  },
];

/** The manifests: the fixture Engram and its template, every Story of the corpus and `child`. */
export function corpusYaml(ns: string, s3: S3Target): string {
  return `
apiVersion: catalog.bubustack.io/v1alpha1
kind: EngramTemplate
metadata: { name: story-diff-${ns} }
spec:
  version: "0.1.0"
  image: IMAGE
  supportedModes: [job]
  inputSchema:
    type: object
    properties:
      tag: { type: string, default: t1 }
---
apiVersion: bubustack.io/v1alpha1
kind: Engram
metadata: { name: fixture, namespace: ${ns} }
spec:
  templateRef: { name: story-diff-${ns} }
  with: { mode: echo }
---
apiVersion: bubustack.io/v1alpha1
kind: Story
metadata: { name: linear, namespace: ${ns} }
spec:
  inputsSchema:
    type: object
    properties:
      who: { type: string }
      count: { type: integer, default: 3 }
  steps:
    - name: first
      ref: { name: fixture }
      with: { greeting: "hi {{ inputs.who }}", count: "{{ inputs.count }}" }
    - name: second
      ref: { name: fixture }
      with: { prev: "{{ steps.first.output.got.greeting }}", total: "{{ steps.first.output.got.count }}" }
    - name: third
      ref: { name: fixture }
      needs: [second]
  output:
    greeting: "{{ steps.second.output.got.prev }}"
    count: "{{ steps.first.output.got.count }}"
    label: "{{ inputs.who }}/{{ steps.third.output.step }}"
---
apiVersion: bubustack.io/v1alpha1
kind: Story
metadata: { name: fanout, namespace: ${ns} }
spec:
  steps:
    - name: source
      ref: { name: fixture }
      with: { count: "{{ inputs.count }}" }
    - name: left
      ref: { name: fixture }
      with: { from: "{{ steps.source.output.step }}", side: left }
    - name: middle
      ref: { name: fixture }
      needs: [source]
      with: { side: middle }
    - name: right
      ref: { name: fixture }
      with: { count: "{{ steps.source.output.got.count }}", side: right }
    - name: join
      ref: { name: fixture }
      needs: [left, middle, right]
      with:
        sides: ["{{ steps.left.output.got.side }}", "{{ steps.middle.output.got.side }}", "{{ steps.right.output.got.side }}"]
  output:
    joined: "{{ steps.join.output.got.sides }}"
---
apiVersion: bubustack.io/v1alpha1
kind: Story
metadata: { name: branches, namespace: ${ns} }
spec:
  steps:
    - name: decide
      ref: { name: fixture }
      with: { go: "{{ inputs.go }}" }
    - name: taken
      ref: { name: fixture }
      if: "{{ steps.decide.output.got.go }}"
    - name: not-taken
      ref: { name: fixture }
      if: '{{ eq (len "x") 2 }}'
    - name: after-skipped
      ref: { name: fixture }
      needs: [not-taken, taken]
      with: { after: skipped }
  output:
    taken: "{{ steps.taken.output.step }}"
    after: "{{ steps.after_skipped.output.got.after }}"
---
apiVersion: bubustack.io/v1alpha1
kind: Story
metadata: { name: allow-failure, namespace: ${ns} }
spec:
  steps:
    - name: shaky
      ref: { name: fixture }
      allowFailure: true
      execution: { retry: { maxRetries: 0 } }
      with: { mode: fail }
    - name: after
      ref: { name: fixture }
      needs: [shaky]
  output:
    after: "{{ steps.after.output.step }}"
---
apiVersion: bubustack.io/v1alpha1
kind: Story
metadata: { name: allow-failure-quiet, namespace: ${ns} }
spec:
  steps:
    - name: shaky
      ref: { name: fixture }
      allowFailure: true
      execution: { retry: { maxRetries: 0 } }
      with: { mode: fail }
---
apiVersion: bubustack.io/v1alpha1
kind: Story
metadata: { name: blocked-input, namespace: ${ns} }
spec:
  steps:
    - name: source
      ref: { name: fixture }
    - name: reader
      ref: { name: fixture }
      with: { missing: "{{ steps.source.output.nothing.here }}" }
---
apiVersion: bubustack.io/v1alpha1
kind: Story
metadata: { name: fail-fast, namespace: ${ns} }
spec:
  steps:
    - name: ok
      ref: { name: fixture }
    - name: broken
      ref: { name: fixture }
      needs: [ok]
      execution: { retry: { maxRetries: 0 } }
      with: { mode: fail }
    - name: dependent
      ref: { name: fixture }
      needs: [broken]
  output:
    never: "{{ steps.dependent.output.step }}"
---
apiVersion: bubustack.io/v1alpha1
kind: Story
metadata: { name: retried, namespace: ${ns} }
spec:
  steps:
    - name: flaky
      ref: { name: fixture }
      execution: { retry: { maxRetries: 2, delay: 1s, backoff: constant } }
      with: { mode: flaky, failures: 1 }
  output:
    step: "{{ steps.flaky.output.step }}"
---
apiVersion: bubustack.io/v1alpha1
kind: Story
metadata: { name: timeout, namespace: ${ns} }
spec:
  steps:
    - name: slow
      ref: { name: fixture }
      execution: { timeout: 3s, retry: { maxRetries: 0 } }
      with: { mode: hang }
---
apiVersion: bubustack.io/v1alpha1
kind: Story
metadata: { name: offload, namespace: ${ns} }
spec:
  policy:
    storage:
      s3:
        bucket: ${s3.bucket}
        region: ${s3.region}
        endpoint: ${s3.endpoint}
        usePathStyle: true
        authentication: {}
  steps:
    - name: big
      ref: { name: fixture }
      with: { mode: big, size: 6000 }
    - name: measure
      ref: { name: fixture }
      with: { mode: measure, blob: "{{ steps.big.output.blob }}" }
  output:
    lengths: "{{ steps.measure.output.lengths }}"
---
apiVersion: bubustack.io/v1alpha1
kind: Story
metadata: { name: child, namespace: ${ns} }
spec:
  inputsSchema:
    type: object
    properties:
      topic: { type: string }
  steps:
    - name: work
      ref: { name: fixture }
      with: { topic: "{{ inputs.topic }}" }
  output:
    topic: "{{ steps.work.output.got.topic }}"
---
apiVersion: bubustack.io/v1alpha1
kind: Story
metadata: { name: parent, namespace: ${ns} }
spec:
  steps:
    - name: before
      ref: { name: fixture }
      with: { topic: "{{ inputs.topic }}" }
    - name: sub
      type: executeStory
      needs: [before]
      with:
        storyRef: { name: child }
        waitForCompletion: true
        with: { topic: "{{ steps.before.output.got.topic }}" }
    - name: after
      ref: { name: fixture }
      needs: [sub]
  output:
    after: "{{ steps.after.output.step }}"
`;
}

/** The corpus manifests as objects; `image` is the EngramTemplate's image. */
export function corpusResources(ns: string, s3: S3Target, image: string): StoryResources {
  const parsed = parseManifests(corpusYaml(ns, s3).replace("image: IMAGE", `image: ${image}`), "story-diff corpus");
  return { stories: parsed.stories, engrams: parsed.engrams, templates: parsed.templates };
}
