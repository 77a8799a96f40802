// The layers of src/ are enforced by `npx eslint .` (eslint.config.js, "Layers"): this proves each rule
// fails on a violation. ESLint runs with the project's config over code placed in each layer: in-memory
// probes (lintText with a filePath inside src/), and two scratch files on disk that import each other
// (no-cycle reads the imported file from disk). Every probe imports a file that exists: an import the
// resolver cannot follow is skipped by the path rules, so a renamed target would hide a violation.
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint, type Linter } from 'eslint';
import t from 'tap';
import tseslint from 'typescript-eslint';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const PROBE = '__layers_probe';
const SCRATCH = '.layers-scratch-';

// The probes are not in tsconfig.json's program (in-memory; the scratch folder starts with a dot, which
// tsc's `src/**` does not match), so type information is switched off for them alone. The layer rules
// need none: they read import declarations and resolve their paths.
const eslint = new ESLint({
  cwd: ROOT,
  overrideConfig: [{ files: [`src/**/${PROBE}.ts`, `src/${SCRATCH}*/*.ts`], ...tseslint.configs.disableTypeChecked }],
});

async function lint(filePath: string, code: string): Promise<Linter.LintMessage[]> {
  const [result] = await eslint.lintText(code, { filePath: join(ROOT, filePath) });
  return result!.messages;
}

/** The project files the probes import, which must exist (see the top of this file). */
function targetsOf(filePath: string, code: string): string[] {
  return [...code.matchAll(/from '(\.[^']+)\.js'/g)].map((m) => resolve(ROOT, dirname(filePath), `${m[1]}.ts`));
}

const PATHS = 'import-x/no-restricted-paths';
const IMPORTS = 'no-restricted-imports';

const violations: { name: string; file: string; code: string; rule: string; says: string }[] = [
  {
    name: 'the core imports Fastify (even a type)',
    file: `src/reconciler/${PROBE}.ts`,
    code: "import type { FastifyInstance } from 'fastify';\nexport type App = FastifyInstance;\n",
    rule: IMPORTS,
    says: 'The core (src/reconciler) knows no Fastify',
  },
  {
    name: 'the core imports the HTTP edge (src/http/app.js)',
    file: `src/reconciler/${PROBE}.ts`,
    code: "import { buildServers } from '../http/app.js';\nexport const servers = buildServers;\n",
    rule: PATHS,
    says: 'does not depend on the HTTP edge',
  },
  {
    name: 'the core imports config.ts',
    file: `src/reconciler/${PROBE}.ts`,
    code: "import { parseConfig } from '../config.js';\nexport const parse = parseConfig;\n",
    rule: PATHS,
    says: 'does not depend on the HTTP edge, the entry points, config.ts or logger.ts',
  },
  {
    name: 'the core imports the SDK adapter (src/s3/sdk-adapter.js)',
    file: `src/reconciler/${PROBE}.ts`,
    code: "import { createSdkPortFactory } from '../s3/sdk-adapter.js';\nexport const factory = createSdkPortFactory;\n",
    rule: PATHS,
    says: "may import from src/s3 only the port's vocabulary",
  },
  {
    name: 'a core field imports the adapter side (src/s3/shape.js)',
    file: `src/reconciler/fields/${PROBE}.ts`,
    code: "import type { JsonSchema } from '../../schema/bucket-schema.js';\nimport { toSdk } from '../../s3/shape.js';\nexport const to = toSdk;\nexport type S = JsonSchema;\n",
    rule: PATHS,
    says: "may import from src/s3 only the port's vocabulary",
  },
  {
    name: 'the core imports an SDK type',
    file: `src/reconciler/${PROBE}.ts`,
    code: "import type { S3Client } from '@aws-sdk/client-s3';\nexport type Client = S3Client;\n",
    rule: IMPORTS,
    says: 'The core (src/reconciler) knows no AWS SDK',
  },
  {
    name: 'the core uses the create-tagging memo (a value)',
    file: `src/reconciler/${PROBE}.ts`,
    code: "import { CreateTaggingMemo } from '../s3/create-tagging.js';\nexport const memo = new CreateTaggingMemo('unknown');\n",
    rule: IMPORTS,
    says: 'The core may only `import type` from s3/create-tagging.js',
  },
  {
    name: 'src/s3 imports the core (src/reconciler/index.js)',
    file: `src/s3/${PROBE}.ts`,
    code: "import type { reconcile } from '../reconciler/index.js';\nexport type Reconcile = typeof reconcile;\n",
    rule: PATHS,
    says: 'src/s3 (the port and its adapters) imports nothing from the core',
  },
  {
    name: 'src/s3 imports the HTTP edge',
    file: `src/s3/${PROBE}.ts`,
    code: "import { buildServers } from '../http/app.js';\nexport const servers = buildServers;\n",
    rule: PATHS,
    says: 'src/s3 imports nothing from the HTTP edge',
  },
  {
    name: 'the HTTP edge imports an SDK command',
    file: `src/http/${PROBE}.ts`,
    code: "import { HeadBucketCommand } from '@aws-sdk/client-s3';\nexport const head = HeadBucketCommand;\n",
    rule: IMPORTS,
    says: 'Only the SDK adapter (src/s3/sdk-*.ts) uses AWS SDK values',
  },
  {
    name: 'a non-adapter file of src/s3 imports an SDK client',
    file: `src/s3/${PROBE}.ts`,
    code: "import { S3Client } from '@aws-sdk/client-s3';\nexport const client = new S3Client({});\n",
    rule: IMPORTS,
    says: 'Only the SDK adapter (src/s3/sdk-*.ts) uses AWS SDK values',
  },
  {
    name: 'the HTTP edge imports the SDK adapter',
    file: `src/http/${PROBE}.ts`,
    code: "import { createSdkPortFactory } from '../s3/sdk-adapter.js';\nexport const factory = createSdkPortFactory;\n",
    rule: PATHS,
    says: 'The HTTP edge (src/http) may import from src/s3 only the port',
  },
  {
    name: 'the schema imports the core',
    file: `src/schema/${PROBE}.ts`,
    code: "import type { reconcile } from '../reconciler/index.js';\nexport type Reconcile = typeof reconcile;\n",
    rule: PATHS,
    says: 'src/schema is the bottom layer',
  },
];

t.test('each layer rule fails on a violation', async (t) => {
  for (const v of violations) {
    for (const target of targetsOf(v.file, v.code)) t.ok(existsSync(target), `${v.name}: the probe's target ${target} exists`);
    const messages = await lint(v.file, v.code);
    t.notOk(
      messages.some((m) => m.fatal),
      `${v.name}: parsed`,
      { messages },
    );
    t.ok(
      messages.some((m) => m.ruleId === v.rule && m.message.includes(v.says)),
      `${v.name}: ${v.rule} says "${v.says}"`,
      { messages: messages.map((m) => `${m.ruleId ?? 'fatal'}: ${m.message}`) },
    );
  }
});

const allowed: { name: string; file: string; code: string }[] = [
  {
    name: "the core imports the port's vocabulary and the schema",
    file: `src/reconciler/fields/${PROBE}.ts`,
    code: [
      "import type { CreateTagging } from '../../s3/create-tagging.js';",
      "import { iamActionsFor } from '../../s3/iam-actions.js';",
      "import { CONFIG_OPERATIONS } from '../../s3/operations.js';",
      "import { isS3Error, type S3Port } from '../../s3/port.js';",
      "import { specSchema } from '../../schema/bucket-schema.js';",
      "import { deepEqual } from '../model/canonical.js';",
      'export const used = [iamActionsFor, CONFIG_OPERATIONS, isS3Error, specSchema, deepEqual];',
      'export type Used = CreateTagging | S3Port;',
      '',
    ].join('\n'),
  },
  {
    name: 'the HTTP edge imports the core, the port, the dry-run port, Fastify and SDK types',
    file: `src/http/${PROBE}.ts`,
    code: [
      "import type { S3Client } from '@aws-sdk/client-s3';",
      "import type { FastifyInstance } from 'fastify';",
      "import { reconcile } from '../reconciler/index.js';",
      "import { dryRun } from '../s3/dry-run-port.js';",
      "import type { S3Port } from '../s3/port.js';",
      'export const used = [reconcile, dryRun];',
      'export type Used = S3Client | FastifyInstance | S3Port;',
      '',
    ].join('\n'),
  },
];

t.test('allowed imports pass', async (t) => {
  for (const a of allowed) {
    for (const target of targetsOf(a.file, a.code)) t.ok(existsSync(target), `${a.name}: the probe's target ${target} exists`);
    const messages = await lint(a.file, a.code);
    t.same(
      messages.map((m) => `${m.ruleId ?? 'fatal'}: ${m.message}`),
      [],
      `${a.name}: no message`,
    );
  }
});

t.test('an import cycle inside src/ fails import-x/no-cycle; a type-only one is left to the zones', async (t) => {
  const dir = mkdtempSync(join(ROOT, 'src', SCRATCH));
  t.teardown(() => rmSync(dir, { recursive: true, force: true }));
  const files = {
    'a.ts': "import { b } from './b.js';\nexport function a(): number {\n  return b() + 1;\n}\n",
    'b.ts': "import { a } from './a.js';\nexport function b(): number {\n  return a() - 1;\n}\n",
    // Erased at run time: no-cycle skips `import type` (a cycle across layers is a zone violation).
    'c.ts': "import type { D } from './d.js';\nexport interface C {\n  d?: D;\n}\n",
    'd.ts': "import type { C } from './c.js';\nexport interface D {\n  c?: C;\n}\n",
  };
  for (const [name, code] of Object.entries(files)) writeFileSync(join(dir, name), code);

  const results = await eslint.lintFiles(Object.keys(files).map((name) => join(dir, name)));
  const byFile = new Map(results.map((r) => [r.filePath.slice(dir.length + 1), r.messages]));
  for (const name of ['a.ts', 'b.ts']) {
    const messages = byFile.get(name) ?? [];
    t.ok(
      messages.some((m) => m.ruleId === 'import-x/no-cycle'),
      `${name}: import-x/no-cycle fires`,
      { messages: messages.map((m) => `${m.ruleId ?? 'fatal'}: ${m.message}`) },
    );
  }
  for (const name of ['c.ts', 'd.ts']) {
    t.same(
      (byFile.get(name) ?? []).map((m) => `${m.ruleId ?? 'fatal'}: ${m.message}`),
      [],
      `${name}: a type-only cycle is not a runtime one`,
    );
  }
});
