# s3db-mcp-server over HTTP (Streamable HTTP at /mcp, legacy SSE at /sse). It binds 0.0.0.0 inside the
# container, so it refuses to start without a token:
#   docker build -t s3db-mcp-server .
#   docker run --rm -p 8000:8000 -e S3DB_MCP_AUTH_TOKEN=$(openssl rand -hex 32) \
#     -e S3DB_CONNECTION_STRING='s3://KEY:SECRET@my-bucket/app?region=us-east-1' s3db-mcp-server
# Without S3DB_CONNECTION_STRING the data goes to /data/s3db-data (mount a volume there to keep it).

FROM node:20-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: the prepare script builds, and the sources are not copied yet.
RUN npm ci --ignore-scripts
COPY tsconfig.json tsconfig.build.json ./
COPY engine ./engine
COPY tools ./tools
COPY server ./server
COPY transports ./transports
COPY cli ./cli
RUN npm run build

FROM node:20-slim AS runtime
ENV NODE_ENV=production \
    MCP_TRANSPORT=sse \
    MCP_SERVER_PORT=8000
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force
COPY --from=build /app/dist ./dist
RUN mkdir /data && chown node:node /data
USER node
WORKDIR /data
VOLUME /data
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s \
  CMD node -e "fetch('http://127.0.0.1:8000/healthz').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"
CMD ["node", "/app/dist/server/main.js", "--transport=sse", "--host=0.0.0.0"]
