// The peer helper's parsing (runs without the peer).

import assert from "node:assert/strict";
import { Buffer } from "node:buffer";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { parseEnvFile, readKubeconfig } from "../peers/k8s/peer.ts";

const b64 = (s: string): string => Buffer.from(s, "utf8").toString("base64");

test("parseEnvFile reads KEY='value' lines and ignores everything else", () => {
  const env = parseEnvFile(
    [
      "BUBU_TEST_KUBECONFIG='/tmp/x y/kubeconfig'",
      "BUBU_TEST_K8S_URL='https://127.0.0.1:1234'",
      "export BUBU_TEST_KUBECONFIG BUBU_TEST_K8S_URL",
      "lower='no'",
      "BROKEN='unterminated",
      "",
    ].join("\n"),
  );
  assert.deepEqual(env, {
    BUBU_TEST_KUBECONFIG: "/tmp/x y/kubeconfig",
    BUBU_TEST_K8S_URL: "https://127.0.0.1:1234",
  });
});

test("readKubeconfig takes the current context's inline data, or files relative to the kubeconfig", () => {
  const dir = mkdtempSync(join(tmpdir(), "k8s-peer-helper-"));
  try {
    writeFileSync(join(dir, "key.pem"), "KEY-FROM-FILE");
    const path = join(dir, "kubeconfig");
    writeFileSync(
      path,
      [
        "apiVersion: v1",
        "kind: Config",
        "clusters:",
        "- {name: other, cluster: {server: 'https://wrong'}}",
        `- {name: c, cluster: {server: 'https://127.0.0.1:6443/', certificate-authority-data: ${b64("CA")}}}`,
        "users:",
        `- {name: u, user: {client-certificate-data: ${b64("CERT")}, client-key: key.pem}}`,
        "contexts:",
        "- {name: other, context: {cluster: other, user: u}}",
        "- {name: ctx, context: {cluster: c, user: u}}",
        "current-context: ctx",
      ].join("\n"),
    );
    assert.deepEqual(readKubeconfig(path), {
      kubeconfigPath: path,
      url: "https://127.0.0.1:6443",
      caPem: "CA",
      certPem: "CERT",
      keyPem: "KEY-FROM-FILE",
    });

    writeFileSync(path, "apiVersion: v1\nkind: Config\ncurrent-context: missing\n");
    assert.throws(() => readKubeconfig(path), /current-context missing not found/);

    writeFileSync(
      path,
      "contexts: [{name: x, context: {cluster: c, user: u}}]\ncurrent-context: x\n" +
        "clusters: [{name: c, cluster: {server: 'https://h'}}]\nusers: [{name: u, user: {}}]\n",
    );
    assert.throws(() => readKubeconfig(path), /no CA/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
