// A throwaway CA and a serving certificate for 127.0.0.1/localhost, made with the openssl CLI
// (which the Kubernetes peer's start.sh already requires). The proxy presents this certificate, so
// the client under test verifies TLS against a CA that only the test knows.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface TestPki {
  readonly caPem: string;
  readonly certPem: string;
  readonly keyPem: string;
}

export function makeTestPki(): TestPki {
  const dir = mkdtempSync(join(tmpdir(), "fault-proxy-pki-"));
  const ssl = (...args: string[]): void => {
    execFileSync("openssl", args, { stdio: ["ignore", "ignore", "pipe"] });
  };
  try {
    const p = (name: string): string => join(dir, name);
    ssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", p("ca.key"));
    ssl(
      "req",
      "-x509",
      "-new",
      "-key",
      p("ca.key"),
      "-sha256",
      "-days",
      "2",
      "-subj",
      "/CN=fault-proxy test CA",
      "-addext",
      "basicConstraints=critical,CA:TRUE",
      "-addext",
      "keyUsage=critical,keyCertSign,cRLSign",
      "-out",
      p("ca.crt"),
    );
    ssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256", "-out", p("server.key"));
    ssl("req", "-new", "-key", p("server.key"), "-subj", "/CN=127.0.0.1", "-out", p("server.csr"));
    writeFileSync(
      p("server.ext"),
      [
        "basicConstraints=critical,CA:FALSE",
        "keyUsage=critical,digitalSignature,keyEncipherment",
        "extendedKeyUsage=serverAuth",
        "subjectAltName=IP:127.0.0.1,DNS:localhost",
      ].join("\n") + "\n",
    );
    ssl(
      "x509",
      "-req",
      "-in",
      p("server.csr"),
      "-CA",
      p("ca.crt"),
      "-CAkey",
      p("ca.key"),
      "-CAcreateserial",
      "-sha256",
      "-days",
      "2",
      "-extfile",
      p("server.ext"),
      "-out",
      p("server.crt"),
    );
    return {
      caPem: readFileSync(p("ca.crt"), "utf8"),
      certPem: readFileSync(p("server.crt"), "utf8"),
      keyPem: readFileSync(p("server.key"), "utf8"),
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
