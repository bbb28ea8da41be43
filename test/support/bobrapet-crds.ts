// The BubuStack CRDs the tests use: `$BUBU_TEST_CRDS_DIR`, else config/crd/bases of the bobrapet
// module (the operator version the cluster peer runs), located by test/peers/cluster/crds-dir.sh.
import { execFileSync } from "node:child_process";
import process from "node:process";
import { fileURLToPath } from "node:url";

let cached: string | undefined;

/** The CRD folder; throws with the script's message when Go or the module proxy is unavailable. */
export function crdsDir(): string {
  const fromEnv = process.env.BUBU_TEST_CRDS_DIR;
  if (fromEnv !== undefined && fromEnv !== "") return fromEnv;
  if (cached === undefined) {
    const script = fileURLToPath(new URL("../peers/cluster/crds-dir.sh", import.meta.url));
    cached = execFileSync("bash", [script], { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] }).trim();
  }
  return cached;
}
