# One image for the controller and node plugins (flags pick the services), a drop-in for CPO's
# cinder-csi-plugin image: CPO's manifests run it with `args: [/bin/cinder-csi-plugin, ...]` or
# `command: [/bin/cinder-csi-plugin]`, so that path is the entrypoint.
# tests/image/production-files.test.ts stages the final image's files the way this file assembles them
# (COPY lines of the last stage, the ln -s link) and starts the controller from them: keep to those forms.
ARG NODE_IMAGE=node:24-bookworm-slim

# Compiles TypeScript to dist/ and bundles each plugin binary into one file, dist/bin/<binary>.js
# (tools/build.ts; needs the dev dependencies).
FROM ${NODE_IMAGE} AS build
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --no-audit --no-fund
COPY tsconfig.json tsconfig.build.json ./
COPY cmd ./cmd
COPY pkg ./pkg
COPY tools ./tools
RUN npm run build

# The production dependencies only: the bundles load from node_modules only what a flag asks for
# (prom-client for --http-endpoint, @kubernetes/client-node for the Kubernetes API).
FROM ${NODE_IMAGE} AS production-deps
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --no-audit --no-fund

FROM ${NODE_IMAGE}
# The node service's host tools: mkfs/fsck/resize per filesystem, blkid/findmnt/losetup, mount, udevadm.
RUN apt-get update \
 && apt-get install -y --no-install-recommends e2fsprogs xfsprogs btrfs-progs util-linux mount udev ca-certificates \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=production-deps /app/node_modules ./node_modules
COPY --from=build /app/dist ./dist
COPY package.json ./package.json
RUN chmod 0755 /app/dist/bin/cinder-csi-plugin.js \
 && chmod 0755 /app/dist/bin/manila-csi-plugin.js \
 && ln -s /app/dist/bin/cinder-csi-plugin.js /bin/cinder-csi-plugin \
 && ln -s /app/dist/bin/manila-csi-plugin.js /bin/manila-csi-plugin
ENV NODE_ENV=production
ENTRYPOINT ["/bin/cinder-csi-plugin"]
