# The Thetaflow engine image used by docker-compose.yml:
#   docker build -t thetaflow/engine .
#   docker run --rm thetaflow/engine node packages/cli/bin/thetaflow.js --help
FROM node:20-bookworm-slim AS build
WORKDIR /app
# onnxruntime-node's postinstall downloads GPU providers; the CPU binary it needs ships in the package.
ENV ONNXRUNTIME_NODE_INSTALL=skip
COPY . .
# `npm ci` also runs the root `prepare` script (tsc -b), so the workspace is built here.
RUN npm ci && npm prune --omit=dev

FROM node:20-bookworm-slim
WORKDIR /app
ENV NODE_ENV=production
COPY --from=build /app /app
USER node
EXPOSE 9464
CMD ["node", "packages/cli/bin/thetaflow.js", "run", "topologies/live.yaml"]
