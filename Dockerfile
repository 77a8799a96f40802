# The bucket-hook image: the compiled hook and its production dependencies on Node's slim Debian image.
#   docker build -t bucket-hook:0.1.0 .
# Without a Docker engine (as on the project's machines): bash test/image/build.sh
ARG NODE_IMAGE=node:24-bookworm-slim

# 1. Compile TypeScript with the full (dev) dependency tree.
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
# npm run build compiles src/ only (tsconfig.build.json, which extends tsconfig.json): no test is copied
# into the build, and only dist/src/ is shipped.
COPY tsconfig.json tsconfig.build.json ./
COPY src/ src/
RUN npm run build

# 2. Production dependencies only, in a stage of their own so no dev package or build cache leaks into
#    the image. No install scripts: none of the runtime dependencies needs one.
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts --no-audit --no-fund

# 3. Runtime. Files stay owned by root and read-only to the process; nothing is written at run time,
#    which is what lets the Deployment use readOnlyRootFilesystem.
FROM ${NODE_IMAGE}
ENV NODE_ENV=production
# A container's loopback is its own: listen on its address. Without HOOK_TOKEN_FILE (or mTLS) the hook
# then refuses to start unless ALLOW_UNAUTHENTICATED=true; outside a container it listens on 127.0.0.1.
ENV HOST=0.0.0.0
WORKDIR /app
COPY package.json ./
COPY --from=deps /app/node_modules/ node_modules/
COPY --from=build /app/dist/src/ dist/src/
# The base image's "node" user, numerically, so the kubelet can check runAsNonRoot without /etc/passwd.
USER 1000:1000
# 8080: the hooks (/sync, /finalize); 8081: probes and /metrics (ADMIN_PORT)
EXPOSE 8080 8081
# No npm or shell wrapper: node is PID 1 (the base image's entrypoint execs it), so SIGTERM reaches
# close-with-grace in main.ts directly.
# No HEALTHCHECK: Kubernetes ignores it; the Deployment probes /healthz and /readyz.
# V8's heap sized for a hook whose live data is ~25 MB, in a container limited to 256Mi: a young
# generation of 2 x 2 MB and an old generation capped at 128 MB, which V8 then collects early instead of
# letting garbage pile up. Measured: RSS flat at ~91 MB under the soak instead of peaks of 170-186 MB
# (README, Performance). Same flags as npm start (test/unit/start-flags.test.ts).
CMD ["node", "--enable-source-maps", "--max-semi-space-size=2", "--max-old-space-size=128", "dist/src/main.js"]
