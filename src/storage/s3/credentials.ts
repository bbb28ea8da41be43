/**
 * The S3 credential chain: `BUBU_S3_*`, then `AWS_*` env, then a web-identity token file (STS
 * `AssumeRoleWithWebIdentity`), then anonymous only for a custom endpoint. The Go SDK goes
 * anonymous as soon as an endpoint is set, which ignores the `AWS_*` keys the operator injects;
 * we use them (docs/go-differences.md).
 * @module
 */
import type { FetchFn } from "../../runtime/types.ts";
import { StorageError } from "../errors.ts";
import type { AwsCredentials } from "./sigv4.ts";
import { xmlText } from "./xml.ts";

/** Credentials for one request; `undefined` means send it unsigned (anonymous). */
export type CredentialsProvider = (signal: AbortSignal) => Promise<AwsCredentials | undefined>;

/** Where the credentials come from. */
export type CredentialSource = "bubu-env" | "aws-env" | "web-identity" | "anonymous" | "none";

/** Inputs of {@link resolveCredentials}; values as read from env. */
export interface CredentialInputs {
  readonly bubu: { accessKeyId?: string; secretAccessKey?: string; sessionToken?: string };
  readonly aws: { accessKeyId?: string; secretAccessKey?: string; sessionToken?: string };
  readonly webIdentity?: { tokenFile?: string; roleArn?: string; sessionName?: string };
  /** A custom endpoint is configured (anonymous is then the last resort). */
  readonly customEndpoint: boolean;
  readonly region: string;
  /** Reads the web-identity token file. */
  readonly readTextFile: (path: string) => Promise<string>;
  readonly fetch: FetchFn;
  /** STS endpoint (`AWS_ENDPOINT_URL_STS`); default `https://sts.<region>.amazonaws.com`. */
  readonly stsEndpoint?: string;
  readonly now?: () => number;
}

/** The chosen source and a provider for it. */
export interface ResolvedCredentials {
  readonly source: CredentialSource;
  readonly provider: CredentialsProvider;
}

const blank = (v: string | undefined): boolean => v === undefined || v.trim() === "";

/** Picks the first source that is configured. Throws for a half-set `BUBU_S3_*` pair. */
export function resolveCredentials(inputs: CredentialInputs): ResolvedCredentials {
  const { bubu, aws } = inputs;
  if (!blank(bubu.accessKeyId) || !blank(bubu.secretAccessKey) || !blank(bubu.sessionToken)) {
    if (blank(bubu.accessKeyId))
      throw new Error("BUBU_S3_ACCESS_KEY_ID must be set when providing explicit S3 credentials");
    if (blank(bubu.secretAccessKey))
      throw new Error("BUBU_S3_SECRET_ACCESS_KEY must be set when providing explicit S3 credentials");
    return {
      source: "bubu-env",
      provider: staticProvider(bubu.accessKeyId!, bubu.secretAccessKey!, bubu.sessionToken),
    };
  }
  if (!blank(aws.accessKeyId) && !blank(aws.secretAccessKey)) {
    return { source: "aws-env", provider: staticProvider(aws.accessKeyId!, aws.secretAccessKey!, aws.sessionToken) };
  }
  const wi = inputs.webIdentity;
  if (wi && !blank(wi.tokenFile) && !blank(wi.roleArn)) {
    return {
      source: "web-identity",
      provider: webIdentityProvider(inputs, wi.tokenFile!, wi.roleArn!, wi.sessionName),
    };
  }
  if (inputs.customEndpoint) return { source: "anonymous", provider: () => Promise.resolve(undefined) };
  return {
    source: "none",
    provider: () =>
      Promise.reject(
        new StorageError(
          "no S3 credentials found: set BUBU_S3_ACCESS_KEY_ID and BUBU_S3_SECRET_ACCESS_KEY, AWS_ACCESS_KEY_ID and " +
            "AWS_SECRET_ACCESS_KEY, or AWS_WEB_IDENTITY_TOKEN_FILE with AWS_ROLE_ARN",
          { code: "NoCredentials" },
        ),
      ),
  };
}

function staticProvider(
  accessKeyId: string,
  secretAccessKey: string,
  sessionToken: string | undefined,
): CredentialsProvider {
  const creds: AwsCredentials = blank(sessionToken)
    ? { accessKeyId: accessKeyId.trim(), secretAccessKey }
    : { accessKeyId: accessKeyId.trim(), secretAccessKey, sessionToken };
  return () => Promise.resolve(creds);
}

/** STS `AssumeRoleWithWebIdentity`, cached until five minutes before expiry; the token file is re-read on refresh. */
function webIdentityProvider(
  inputs: CredentialInputs,
  tokenFile: string,
  roleArn: string,
  sessionName: string | undefined,
): CredentialsProvider {
  const now = inputs.now ?? Date.now;
  let cached: { creds: AwsCredentials; expiresAt: number } | undefined;
  let pending: Promise<AwsCredentials> | undefined;
  const refresh = async (signal: AbortSignal): Promise<AwsCredentials> => {
    let token: string;
    try {
      token = (await inputs.readTextFile(tokenFile)).trim();
    } catch (err) {
      throw new StorageError(`failed to read web identity token file ${tokenFile}: ${(err as Error).message}`, {
        cause: err,
      });
    }
    const endpoint = (inputs.stsEndpoint ?? `https://sts.${inputs.region}.amazonaws.com`).replace(/\/+$/, "");
    const body = new URLSearchParams({
      Action: "AssumeRoleWithWebIdentity",
      Version: "2011-06-15",
      RoleArn: roleArn,
      RoleSessionName: blank(sessionName) ? `bubu-sdk-ts-${now()}` : sessionName!,
      WebIdentityToken: token,
    });
    let res: Response;
    try {
      res = await inputs.fetch(`${endpoint}/`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: body.toString(),
        signal,
      });
    } catch (err) {
      throw new StorageError(`AssumeRoleWithWebIdentity at ${endpoint} failed: ${(err as Error).message}`, {
        cause: err,
      });
    }
    const text = await res.text();
    if (!res.ok) {
      const code = xmlText(text, "Code") ?? `HTTP ${res.status}`;
      throw new StorageError(`AssumeRoleWithWebIdentity failed: ${code}: ${xmlText(text, "Message") ?? ""}`.trim(), {
        code,
        status: res.status,
      });
    }
    const accessKeyId = xmlText(text, "AccessKeyId");
    const secretAccessKey = xmlText(text, "SecretAccessKey");
    const sessionToken = xmlText(text, "SessionToken");
    if (!accessKeyId || !secretAccessKey) throw new StorageError("AssumeRoleWithWebIdentity answer has no credentials");
    const expiration = Date.parse(xmlText(text, "Expiration") ?? "");
    const creds: AwsCredentials = sessionToken
      ? { accessKeyId, secretAccessKey, sessionToken }
      : { accessKeyId, secretAccessKey };
    cached = { creds, expiresAt: Number.isFinite(expiration) ? expiration - 5 * 60_000 : now() + 10 * 60_000 };
    return creds;
  };
  return async (signal) => {
    if (cached && now() < cached.expiresAt) return cached.creds;
    pending ??= refresh(signal).finally(() => (pending = undefined));
    return await pending;
  };
}
