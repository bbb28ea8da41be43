// A throw-away PKI made with the openssl CLI: a CA, a second (wrong) CA, server certs and a
// client cert. EC P-256 keys in PKCS#8, v3 extensions as rustls (Deno) requires them.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

export interface Pki {
  ca: string;
  otherCa: string;
  /** Server cert for IP 127.0.0.1. */
  server: { cert: string; key: string };
  /** Server cert for DNS api.kube.test only (no IP SAN). */
  named: { cert: string; key: string };
  /** Client cert with CN engram-client. */
  client: { cert: string; key: string };
  cleanup(): void;
}

const LEAF = "basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\n";

export function makePki(): Pki {
  const dir = mkdtempSync(join(tmpdir(), "bubu-pki-"));
  const ssl = (...args: string[]) => execFileSync("openssl", args, { cwd: dir, stdio: "pipe" });
  const newKey = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
  const ca = (name: string) =>
    ssl(
      "req",
      "-x509",
      ...newKey,
      "-keyout",
      `${name}.key`,
      "-out",
      `${name}.crt`,
      "-days",
      "2",
      "-subj",
      `/CN=${name}`,
      "-addext",
      "basicConstraints=critical,CA:TRUE",
      "-addext",
      "keyUsage=critical,keyCertSign,cRLSign",
    );
  const leaf = (name: string, cn: string, ext: string) => {
    ssl("req", "-new", ...newKey, "-keyout", `${name}.key`, "-out", `${name}.csr`, "-subj", `/CN=${cn}`);
    writeFileSync(join(dir, `${name}.ext`), LEAF + ext);
    ssl(
      "x509",
      "-req",
      "-in",
      `${name}.csr`,
      "-CA",
      "test-ca.crt",
      "-CAkey",
      "test-ca.key",
      "-CAcreateserial",
      "-out",
      `${name}.crt`,
      "-days",
      "2",
      "-extfile",
      `${name}.ext`,
    );
  };
  ca("test-ca");
  ca("other-ca");
  leaf("server", "127.0.0.1", "extendedKeyUsage=serverAuth\nsubjectAltName=IP:127.0.0.1\n");
  leaf("named", "api.kube.test", "extendedKeyUsage=serverAuth\nsubjectAltName=DNS:api.kube.test\n");
  leaf("client", "engram-client", "extendedKeyUsage=clientAuth\n");
  const read = (f: string) => readFileSync(join(dir, f), "utf8");
  const pair = (n: string) => ({ cert: read(`${n}.crt`), key: read(`${n}.key`) });
  return {
    ca: read("test-ca.crt"),
    otherCa: read("other-ca.crt"),
    server: pair("server"),
    named: pair("named"),
    client: pair("client"),
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}
