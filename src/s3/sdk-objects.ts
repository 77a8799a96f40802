// The object-level calls of the SDK adapter, for emptying a bucket before its deletion: one page of
// object versions (delete markers included) or multipart uploads at a time, DeleteObjects by version id
// (never without one, so no delete marker is made; never with BypassGovernanceRetention), and
// AbortMultipartUpload. The adapter (sdk-adapter.ts) runs each inside its `call`, which classifies errors.
import { AbortMultipartUploadCommand, DeleteObjectsCommand, ListMultipartUploadsCommand, ListObjectVersionsCommand } from '@aws-sdk/client-s3';
import type { ListMarker, MultipartUpload, MultipartUploadPage, ObjectDeleteError, ObjectVersion, ObjectVersionPage } from './port.js';
import type { Send } from './sdk-config-table.js';

/** S3's page size, and DeleteObjects' limit. */
export const PAGE = 1000;

function nextMarker(truncated: boolean | undefined, key: string | undefined, id: string | undefined): ListMarker | undefined {
  return truncated && key ? { key, id: id || undefined } : undefined;
}

export async function listObjectVersionsPage(send: Send, bucket: string, from: ListMarker | undefined): Promise<ObjectVersionPage> {
  const out = await send(
    new ListObjectVersionsCommand({
      Bucket: bucket,
      MaxKeys: PAGE,
      ...(from ? { KeyMarker: from.key, ...(from.id ? { VersionIdMarker: from.id } : {}) } : {}),
    }),
  );
  const versions = [...(out.Versions ?? []), ...(out.DeleteMarkers ?? [])]
    .filter((v): v is typeof v & { Key: string } => typeof v.Key === 'string')
    .map((v): ObjectVersion => ({ key: v.Key, versionId: v.VersionId ?? undefined }));
  return { versions, next: nextMarker(out.IsTruncated, out.NextKeyMarker, out.NextVersionIdMarker) };
}

export async function deleteObjectVersions(send: Send, bucket: string, versions: ObjectVersion[]): Promise<ObjectDeleteError[]> {
  if (versions.length === 0) return [];
  const out = await send(
    new DeleteObjectsCommand({
      Bucket: bucket,
      // Quiet: S3 answers only the keys it did not delete.
      Delete: { Quiet: true, Objects: versions.map((v) => ({ Key: v.key, ...(v.versionId ? { VersionId: v.versionId } : {}) })) },
    }),
  );
  return (out.Errors ?? []).map((e): ObjectDeleteError => ({ key: e.Key ?? '', versionId: e.VersionId ?? undefined, code: e.Code ?? 'Unknown' }));
}

export async function listMultipartUploadsPage(send: Send, bucket: string, from: ListMarker | undefined): Promise<MultipartUploadPage> {
  const out = await send(
    new ListMultipartUploadsCommand({
      Bucket: bucket,
      MaxUploads: PAGE,
      ...(from ? { KeyMarker: from.key, ...(from.id ? { UploadIdMarker: from.id } : {}) } : {}),
    }),
  );
  const uploads = (out.Uploads ?? [])
    .filter((u): u is typeof u & { Key: string; UploadId: string } => typeof u.Key === 'string' && typeof u.UploadId === 'string')
    .map((u): MultipartUpload => ({ key: u.Key, uploadId: u.UploadId }));
  return { uploads, next: nextMarker(out.IsTruncated, out.NextKeyMarker, out.NextUploadIdMarker) };
}

export async function abortMultipartUpload(send: Send, bucket: string, upload: MultipartUpload): Promise<void> {
  await send(new AbortMultipartUploadCommand({ Bucket: bucket, Key: upload.key, UploadId: upload.uploadId }));
}
