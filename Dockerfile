# syntax=docker/dockerfile:1
# One image for every Newsroom service and the ops CLI. Pick the program with the container's
# command, e.g. `docker run newsroom dist/services/ingestion/main.js` (add `migrate` or
# `describe-config` after it), or `dist/tools/ops/main.js topics create`.
# Target `runtime-native` is the same image with native TensorFlow (@tensorflow/tfjs-node on
# libtensorflow from PyPI's tensorflow-cpu wheel), for the services that compute: training,
# evaluation and batch scoring (`docker build --target runtime-native -t newsroom-native .`).
# The default target (the last stage) is the plain image; the others compute on WebAssembly.
ARG NODE_IMAGE=node:24-bookworm-slim
# The full Debian image: a compiler, make and python3 for node-gyp.
ARG NODE_BUILD_IMAGE=node:24-bookworm

# --- deps: the full dependency tree (build tools included) ---------------------------------------
FROM ${NODE_IMAGE} AS deps
WORKDIR /app
# .npmrc: no package's install script runs (tools/native-tf builds tfjs-node's binding instead).
COPY package.json package-lock.json .npmrc ./
RUN npm ci --no-audit --no-fund

# --- build: webpack bundles of the services and the ops CLI into dist/ ----------------------------
FROM deps AS build
ENV NX_DAEMON=false \
    NX_NO_CLOUD=true \
    NX_SKIP_NX_CACHE=true
COPY . .
RUN npx nx run-many -t build --projects=tag:type:service,ops --parallel=2

# --- prod-deps: runtime packages only (the bundles leave npm packages external) -------------------
FROM ${NODE_IMAGE} AS prod-deps
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force

# --- native-tf: tfjs-node's binding compiled against libtensorflow from the pinned wheel ----------
FROM ${NODE_BUILD_IMAGE} AS native-tf
# auto: where the builder cannot have it (not x86_64, say), the build says so and the image computes
# on WebAssembly; release builds pass --build-arg NATIVE_TF=required.
ARG NATIVE_TF=auto
WORKDIR /app
COPY --from=prod-deps /app/node_modules ./node_modules
COPY package.json package-lock.json .npmrc ./
COPY tools/native-tf/install.sh tools/native-tf/install.sh
RUN NEWSROOM_NATIVE_TF=${NATIVE_TF} NEWSROOM_CACHE_DIR=/tmp/native-tf bash tools/native-tf/install.sh \
    && rm -rf /tmp/native-tf

# --- runtime -------------------------------------------------------------------------------------
FROM ${NODE_IMAGE} AS runtime-base
# kafkajs 2.2.4 schedules a negative timeout on every connection under Node 24 (upstream issue
# tulios/kafkajs#1751); the warning is noise, the timeout itself harmless.
ENV NODE_ENV=production \
    NODE_OPTIONS=--disable-warning=TimeoutNegativeWarning
WORKDIR /app
# Everything stays owned by root and read-only for the app user: the container runs with a
# read-only root filesystem and writes only to /tmp and the artifact store's volume (owned by the
# app user here, so a fresh Docker volume mounted on it inherits that).
COPY --from=prod-deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./
RUN mkdir -p /var/lib/newsroom/artifacts && chown 1000:1000 /var/lib/newsroom/artifacts
# The image's `node` user, numerically so that Kubernetes' runAsNonRoot can verify it.
USER 1000:1000
EXPOSE 3001-3008
ENTRYPOINT ["node"]
# No default program: the container must name one (see the top of this file).
CMD ["-e", "console.error('newsroom: no program given. Run the image with e.g. dist/services/ingestion/main.js [serve|migrate|describe-config] or dist/tools/ops/main.js topics create'); process.exit(64)"]

# --- runtime-native: the same, with native TensorFlow ---------------------------------------------
FROM runtime-base AS runtime-native
# libtensorflow's INFO start-up lines on stderr are noise beside the JSON logs (read at its load,
# from the process environment: worker threads' own process.env does not reach it).
ENV TF_CPP_MIN_LOG_LEVEL=1
COPY --from=native-tf /app/node_modules/@tensorflow/tfjs-node ./node_modules/@tensorflow/tfjs-node

# --- runtime (the default target) -----------------------------------------------------------------
FROM runtime-base AS runtime
