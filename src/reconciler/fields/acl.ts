// spec.acl (canned) or spec.grant* (header grants). S3 reports an ACL as a list of grants, never as
// the canned name, so the desired ACL is expanded into grants for the bucket owner before comparing
// (ACK compared against a pipe-joined list of guesses and broke on upgrade, #2357). A canned ACL and
// header grants together are refused up front, as S3 would refuse them.
import type { AclReading, GrantHeaders } from '../../s3/port.js';
import { SpecError } from '../model/spec-error.js';
import type { Field } from '../model/types.js';
import { list, section, text } from './spec-access.js';

const GROUP = {
  all: 'http://acs.amazonaws.com/groups/global/AllUsers',
  authenticated: 'http://acs.amazonaws.com/groups/global/AuthenticatedUsers',
  logDelivery: 'http://acs.amazonaws.com/groups/s3/LogDelivery',
};
const OWNER = '@owner';

/** Extra grants each canned ACL gives beyond the owner's FULL_CONTROL (bucket ACLs). */
const CANNED: Record<string, string[]> = {
  private: [],
  'bucket-owner-read': [],
  'bucket-owner-full-control': [],
  'public-read': [`READ:${GROUP.all}`],
  'public-read-write': [`READ:${GROUP.all}`, `WRITE:${GROUP.all}`],
  'authenticated-read': [`READ:${GROUP.authenticated}`],
  'log-delivery-write': [`WRITE:${GROUP.logDelivery}`, `READ_ACP:${GROUP.logDelivery}`],
};

const HEADERS: Record<string, string> = {
  grantFullControl: 'FULL_CONTROL',
  grantRead: 'READ',
  grantReadACP: 'READ_ACP',
  grantWrite: 'WRITE',
  grantWriteACP: 'WRITE_ACP',
};

export type DesiredAcl = { acl: string } | { grants: GrantHeaders };

/** `id="abc", uri="http://..."` -> ['abc', 'http://...'] (email grantees cannot be compared: S3 reports them by canonical id). */
export function parseGrantHeader(header: string): string[] {
  return header
    .split(',')
    .map((part) => part.trim())
    .filter((part) => part !== '')
    .map((part) => {
      const eq = part.indexOf('=');
      return [
        part.slice(0, eq).trim().toLowerCase(),
        part
          .slice(eq + 1)
          .trim()
          .replace(/^"(.*)"$/, '$1'),
      ] as const;
    })
    .filter(([key]) => key !== 'emailaddress')
    .map(([, value]) => value);
}

function observedGrants(observed: AclReading): Set<string> {
  const owner = observed.owner?.id;
  return new Set(
    list(observed.grants).map((g) => {
      const grantee = section(g, 'grantee') ?? {};
      const who = text(grantee.uRI) ?? text(grantee.id) ?? text(grantee.emailAddress) ?? '?';
      return `${text(g.permission)}:${who === owner ? OWNER : who}`;
    }),
  );
}

function desiredGrants(desired: DesiredAcl, owner: string | undefined): Set<string> | undefined {
  if ('acl' in desired) {
    const extra = CANNED[desired.acl];
    return extra ? new Set([`FULL_CONTROL:${OWNER}`, ...extra]) : undefined;
  }
  return new Set(
    Object.entries(desired.grants).flatMap(([key, header]) => parseGrantHeader(header).map((who) => `${HEADERS[key]}:${who === owner ? OWNER : who}`)),
  );
}

export const aclField: Field<DesiredAcl, AclReading | undefined> = {
  path: 'spec.acl',
  desired: ({ spec }) => {
    // ACK writes a pipe-joined list of candidate canned ACLs when it reads one back; the first is meant.
    const acl = text(spec.acl)?.split('|')[0];
    const grants = Object.fromEntries(Object.keys(HEADERS).flatMap((k) => (text(spec[k]) ? [[k, text(spec[k])!]] : [])));
    if (acl && Object.keys(grants).length > 0) {
      throw new SpecError(
        'spec.acl',
        `and ${Object.keys(grants)
          .map((k) => `spec.${k}`)
          .join(', ')} are both set; S3 takes either a canned ACL or grants: keep one`,
      );
    }
    if (acl) return { acl };
    return Object.keys(grants).length > 0 ? { grants } : undefined;
  },
  read: (ctx) => ctx.port.getConfig('acl', ctx.bucket, ctx.signal),
  inSync: (desired, observed) => {
    const want = desiredGrants(desired, observed?.owner?.id);
    const have = observedGrants(observed ?? {});
    // A canned ACL we cannot expand (aws-exec-read) is trusted once the owner keeps full control.
    if (!want) return have.has(`FULL_CONTROL:${OWNER}`);
    return want.size === have.size && [...want].every((g) => have.has(g));
  },
  write: (ctx, desired) => ctx.port.putConfig('acl', ctx.bucket, 'acl' in desired ? { acl: desired.acl } : desired.grants, ctx.signal),
};
