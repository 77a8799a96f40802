// Flat config: typescript-eslint's recommended type-aware rules over src/ and test/, then the layers of
// src/ (below): no exceptions.
import js from '@eslint/js';
import { createTypeScriptImportResolver } from 'eslint-import-resolver-typescript';
import importX from 'eslint-plugin-import-x';
import tseslint from 'typescript-eslint';

const ROOT = import.meta.dirname;

// ---- The layers of src/. Imports go one way only:
//   main.ts, cli/  ->  http/ (the edge)  ->  reconciler/ (the core)  ->  s3/port.ts and its vocabulary  ->  schema/
//   main.ts        ->  s3/sdk-*.ts (the SDK adapter: the only code that holds AWS SDK values)  ->  s3/port.ts
//   main.ts, http/ ->  events/ (the Kubernetes API client and event recorder)  ->  reconciler/outcome/events.ts (what to record)
// The port's vocabulary, the part of s3/ the core and the edge may see: the port itself, the operation
// names, the IAM actions per operation and the create-tagging types (CreateTaggingMemo is the adapter's).
const PORT_VOCABULARY = ['port.ts', 'operations.ts', 'iam-actions.ts', 'create-tagging.ts'];

// import-x/no-restricted-paths zones: files under `target` may not import files under `from` (resolved
// paths, so `../s3/errors.js` is checked as src/s3/errors.ts), except those under `except` (relative to
// `from`). Type-only imports count too: a layer that may not import a module may not name its types.
/** Protects the core: it knows no HTTP edge, no entry point, no process config or logger. */
const CORE_NO_EDGE = {
  target: 'src/reconciler',
  from: ['src/http', 'src/cli', 'src/main.ts', 'src/config.ts', 'src/logger.ts'],
  message: 'The core (src/reconciler) does not depend on the HTTP edge, the entry points, config.ts or logger.ts: they depend on it.',
};
/** Protects the port: the core reaches S3 through the port's vocabulary only, never the adapter side. */
const CORE_SEES_ONLY_THE_PORT = {
  target: 'src/reconciler',
  from: 'src/s3',
  except: PORT_VOCABULARY,
  message: `The core (src/reconciler) may import from src/s3 only the port's vocabulary (${PORT_VOCABULARY.join(', ')}); errors.ts, shape.ts, sdk-*.ts and dry-run-port.ts are the adapter side.`,
};
/** Protects the core from the adapter: src/s3 depends on nothing above it (no cycle core <-> port). */
const S3_NO_CORE = {
  target: 'src/s3',
  from: 'src/reconciler',
  message: 'src/s3 (the port and its adapters) imports nothing from the core (src/reconciler): what both need belongs in the port.',
};
/** Protects the edge's and the entry points' callers: src/s3 knows no HTTP and no process. */
const S3_NO_EDGE = {
  target: 'src/s3',
  from: ['src/http', 'src/cli', 'src/main.ts'],
  message: 'src/s3 imports nothing from the HTTP edge (src/http) or the entry points (src/cli, src/main.ts).',
};
/** Protects the adapter's seam: the edge uses the core and the port; main.ts wires the SDK adapter in. */
const HTTP_SEES_ONLY_THE_PORT = {
  target: 'src/http',
  from: 'src/s3',
  except: [...PORT_VOCABULARY, 'dry-run-port.ts'],
  message: 'The HTTP edge (src/http) may import from src/s3 only the port (and dry-run-port.ts); main.ts hands it the SDK adapter.',
};
/** Protects the bottom layer: the schema is plain data and validators that everything may use. */
const SCHEMA_IS_A_LEAF = {
  target: 'src/schema',
  from: 'src',
  except: ['schema'],
  message: 'src/schema is the bottom layer: it imports nothing else of src.',
};
/** Protects the core: it decides which events to record (reconciler/outcome/events.ts); sending them is not its business. */
const CORE_NO_EVENTS = {
  target: 'src/reconciler',
  from: 'src/events',
  message: 'The core (src/reconciler) does not depend on src/events (the Kubernetes API client): it plans events as data, the edge hands them over.',
};
/** Protects the events layer: it knows no HTTP edge, no entry point, no process config or logger. */
const EVENTS_NO_EDGE = {
  target: 'src/events',
  from: ['src/http', 'src/cli', 'src/main.ts', 'src/config.ts', 'src/logger.ts', 'src/s3'],
  message: 'src/events imports nothing from the HTTP edge, the entry points, config.ts, logger.ts or src/s3: main.ts wires it in.',
};
/** Protects the core's seam: src/events may see of the core only the planned events' vocabulary. */
const EVENTS_SEES_ONLY_EVENT_VOCABULARY = {
  target: 'src/events',
  from: 'src/reconciler',
  except: ['outcome/events.ts'],
  message: 'src/events may import from the core only reconciler/outcome/events.ts (the planned events); the decisions stay in the core.',
};
/** Protects the events layer from below: src/s3 knows nothing of it. */
const S3_NO_EVENTS = {
  target: 'src/s3',
  from: 'src/events',
  message: 'src/s3 imports nothing from src/events.',
};
const LAYER_ZONES = [
  CORE_NO_EDGE,
  CORE_SEES_ONLY_THE_PORT,
  S3_NO_CORE,
  S3_NO_EDGE,
  HTTP_SEES_ONLY_THE_PORT,
  SCHEMA_IS_A_LEAF,
  CORE_NO_EVENTS,
  EVENTS_NO_EDGE,
  EVENTS_SEES_ONLY_EVENT_VOCABULARY,
  S3_NO_EVENTS,
];
const restrictedPaths = (zones) => ['error', { basePath: ROOT, zones }];

// Package imports (no-restricted-imports matches the specifier; later blocks replace earlier ones for
// the files they name, so each block states the whole list for its files).
/** Protects the adapter's seam: AWS SDK values (clients, commands) only in the adapter; types elsewhere. */
const SDK_VALUES = {
  group: ['@aws-sdk/*'],
  allowTypeImports: true,
  message: 'Only the SDK adapter (src/s3/sdk-*.ts) uses AWS SDK values (clients, commands); elsewhere `import type` at most.',
};
/** Protects the core: no HTTP framework in it, not even its types. */
const CORE_NO_FASTIFY = {
  group: ['fastify', 'fastify/*', '@fastify/*'],
  message: 'The core (src/reconciler) knows no Fastify: the HTTP edge (src/http) adapts requests to it.',
};
/** Protects the core: no SDK in it, not even its types; the port's types say what S3 answers. */
const CORE_NO_SDK = {
  group: ['@aws-sdk/*'],
  message: "The core (src/reconciler) knows no AWS SDK, not even its types: use the port's (src/s3/port.ts).",
};
/** Protects the adapter's state: the core may name the create-tagging types, not use the memo. */
const CORE_CREATE_TAGGING_TYPES = {
  group: ['**/s3/create-tagging.js'],
  allowTypeImports: true,
  message: "The core may only `import type` from s3/create-tagging.js (CreateTaggingMemo is the adapter's).",
};

export default tseslint.config(
  { ignores: ['dist/**', 'node_modules/**', '.tap/**', 'coverage/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: ROOT },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/consistent-type-imports': 'error',
      'no-console': ['error', { allow: ['error'] }],
    },
  },
  {
    files: ['src/cli/**/*.ts', 'test/**/*.ts'],
    rules: { 'no-console': 'off' },
  },
  {
    // tap collects subtests itself; async test bodies often have nothing to await.
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/no-floating-promises': 'off',
      '@typescript-eslint/require-await': 'off',
      '@typescript-eslint/no-non-null-assertion': 'off',
    },
  },
  {
    files: ['**/*.js'],
    ...tseslint.configs.disableTypeChecked,
  },

  // ---- Layers (src/ only; tests may import anything). Proved by test/unit/layers.test.ts.
  {
    files: ['src/**/*.ts'],
    plugins: { 'import-x': importX },
    settings: {
      ...importX.flatConfigs.typescript.settings,
      // Resolves NodeNext specifiers (`./port.js` -> port.ts) as tsc does, from tsconfig.json.
      'import-x/resolver-next': [createTypeScriptImportResolver({ project: `${ROOT}/tsconfig.json` })],
    },
    rules: {
      // Protects every layer: no runtime import cycle anywhere in src/. (no-cycle skips `import type`,
      // which is erased; a type-level cycle between layers is caught by the zones instead.)
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      'import-x/no-restricted-paths': restrictedPaths(LAYER_ZONES),
      'no-restricted-imports': ['error', { patterns: [SDK_VALUES] }],
    },
  },
  {
    // The core: no Fastify, no SDK (not even types), the create-tagging memo by type only.
    files: ['src/reconciler/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [CORE_NO_FASTIFY, CORE_NO_SDK, CORE_CREATE_TAGGING_TYPES] }] },
  },
  {
    // The adapter (sdk-adapter.ts, sdk-config-table.ts, sdk-credentials.ts): the only files that hold SDK clients and commands.
    files: ['src/s3/sdk-*.ts'],
    rules: { 'no-restricted-imports': 'off' },
  },
);
