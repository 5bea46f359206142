# syntax=docker/dockerfile:1
# Multi-stage build: a static binary on distroless, running as the nonroot
# user (uid 65532), with its data directory on a volume.
#   docker build --build-arg VERSION=$(git describe --tags --always) -t kantuta .
#   docker run -p 3000:3000 -v kantuta-data:/app/data kantuta      # SQLite shop
FROM golang:1.26 AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
# .git is not in the build context (.dockerignore): the version comes from here.
ARG VERSION=dev
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/kantuta ./cmd/kantuta \
 && mkdir -p /out/data

FROM gcr.io/distroless/static-debian12:nonroot
WORKDIR /app
COPY --from=build /out/kantuta /app/kantuta
# The data directory belongs to nonroot: the SQLite file, its lock and the
# development secrets are written there. A new named volume mounted on it
# copies this ownership.
COPY --from=build --chown=65532:65532 /out/data /app/data
# PORT only (KANTUTA_ADDR unset), so that a platform's PORT is obeyed.
ENV KANTUTA_DATA_DIR=/app/data PORT=3000
EXPOSE 3000
USER 65532:65532
VOLUME ["/app/data"]
# No curl in distroless: the binary checks its own /readyz.
HEALTHCHECK --interval=15s --timeout=5s --start-period=10s --retries=3 CMD ["/app/kantuta", "healthcheck"]
ENTRYPOINT ["/app/kantuta"]
CMD ["serve"]
