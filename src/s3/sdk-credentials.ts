// The start-up credential check: can the SDK's default provider chain (environment, web identity, the
// pod's role, the instance profile) produce credentials at all? main.ts logs the answer as one line, so
// a hook that cannot sign a request says so at start instead of at its first sync.
import { S3Client } from '@aws-sdk/client-s3';

/** Undefined when credentials resolve; else what went wrong, in the provider's words. Gives up after `timeoutMs`. */
export async function checkSdkCredentials(region: string, timeoutMs = 15_000): Promise<string | undefined> {
  const probe = new S3Client({ region });
  try {
    const credentials = await Promise.race([
      probe.config.credentials(),
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`timed out after ${timeoutMs / 1000} s`)), timeoutMs).unref()),
    ]);
    return credentials.accessKeyId ? undefined : 'the credential provider returned no access key';
  } catch (err) {
    return err instanceof Error ? err.message : String(err);
  } finally {
    probe.destroy();
  }
}
