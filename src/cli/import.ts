// `npm run import -- --prefix PREFIX --namespace NS [--region R] [--out FILE]`: brings buckets a team
// already has under management without writing YAML by hand (like asoctl import or config-connector
// export). Lists the account's buckets whose names start with PREFIX (ListBuckets: the CLI user needs
// s3:ListAllMyBuckets, and the Get actions of the hook's policy), reads every sub-resource the spec can
// manage (src/reconciler/import.ts), and prints one Bucket manifest per bucket with adoption-policy adopt
// and deletion-policy retain, whose spec mirrors what S3 holds: applied, the hook finds each in sync and
// writes no setting (only the ownership tags that adoption adds). Buckets another Bucket resource manages,
// and sub-resources that cannot be read, are listed as comments, one line each whatever S3 returned
// (import-render.ts). Reads only: nothing is written to S3.
// Exit code: 0 when the listing worked (skipped buckets are comments), 1 when S3 failed, 2 on misuse.
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { parseForeignTagPrefixes, parseS3ClientTuning } from '../config.js';
import { importBucket, type ImportResult } from '../reconciler/import/import.js';
import { isS3Error } from '../s3/port.js';
import { createSdkPortFactory } from '../s3/sdk-adapter.js';
import { listBuckets } from '../s3/sdk-list-buckets.js';
import { oneLine, renderImport } from './import-render.js';

const usage = `usage: npm run import -- --prefix PREFIX --namespace NAMESPACE [--region REGION] [--out FILE]
  --prefix     import the buckets whose names start with this (required, not empty)
  --namespace  the namespace of the Bucket resources (required)
  --region     where the buckets are (default AWS_REGION); buckets elsewhere are listed as comments
  --out        write the manifests to FILE instead of stdout
environment: the AWS SDK's credentials, AWS_REGION, AWS_ENDPOINT_URL_S3, S3_FORCE_PATH_STYLE, and the
hook's FOREIGN_TAG_PREFIXES (tags under them are left out of the specs). Reads only; writes nothing to S3.`;

function fail(message: string, code: number): never {
  console.error(message);
  process.exit(code);
}

async function main(): Promise<void> {
  let values: { prefix?: string; namespace?: string; region?: string; out?: string; help?: boolean };
  try {
    ({ values } = parseArgs({
      options: { prefix: { type: 'string' }, namespace: { type: 'string' }, region: { type: 'string' }, out: { type: 'string' }, help: { type: 'boolean' } },
      strict: true,
    }));
  } catch (err) {
    fail(`${(err as Error).message}\n${usage}`, 2);
  }
  if (values.help) {
    console.log(usage);
    return;
  }
  const env = process.env;
  const prefix = values.prefix ?? '';
  const namespace = values.namespace ?? '';
  const region = values.region ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? '';
  if (prefix === '') fail(`--prefix is required (an account's buckets are not imported all at once)\n${usage}`, 2);
  if (!/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(namespace)) fail(`--namespace "${namespace}" must be a Kubernetes namespace name\n${usage}`, 2);
  if (!/^[a-z0-9-]+$/.test(region)) fail(`--region (or AWS_REGION) must name a region, such as eu-west-1\n${usage}`, 2);
  const foreign = parseForeignTagPrefixes(env.FOREIGN_TAG_PREFIXES);
  if (foreign.problems.length > 0) fail(foreign.problems.join('\n'), 2);
  const endpoint = env.AWS_ENDPOINT_URL_S3 || env.AWS_ENDPOINT_URL || undefined;
  const forcePathStyle = ['true', '1', 'yes'].includes((env.S3_FORCE_PATH_STYLE ?? '').trim().toLowerCase());
  // The same switch as the hook's: off reads through stock S3 clients.
  const tuning = parseS3ClientTuning(env.S3_CLIENT_TUNING);
  if (tuning.problem) fail(tuning.problem, 2);

  const ports = createSdkPortFactory({ endpoint, forcePathStyle, tuning: tuning.on });
  try {
    const listed = await listBuckets({ region, endpoint, forcePathStyle }, prefix);
    const port = ports(region);
    const results: ImportResult[] = [];
    for (const { name } of listed) {
      const result = await importBucket(port, name, { namespace, region, foreignTagPrefixes: foreign.prefixes });
      console.error(
        oneLine(
          `${name}: ${'manifest' in result ? `imported${result.notes.length > 0 ? ` (${result.notes.length} notes)` : ''}` : `skipped: ${result.skipped}`}`,
        ),
      );
      results.push(result);
    }
    const header = [
      `npm run import -- --prefix ${prefix} --namespace ${namespace} --region ${region}`,
      'Each Bucket adopts its bucket (adoption-policy adopt) and keeps it when deleted (deletion-policy retain: remove the annotation to let kubectl delete remove an empty bucket).',
    ];
    const text = renderImport(results, header);
    if (values.out) await writeFile(values.out, text);
    else process.stdout.write(text);
  } catch (err) {
    if (!isS3Error(err)) throw err;
    fail(
      `S3 refused ${err.operation}: ${err.code}${err.httpStatus ? ` (HTTP ${err.httpStatus})` : ''}${err.kind === 'access-denied' ? ` (the import needs s3:ListAllMyBuckets and the hook's Get actions)` : ''}`,
      1,
    );
  } finally {
    ports.destroy();
  }
}

void main();
