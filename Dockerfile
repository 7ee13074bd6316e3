# syntax=docker/dockerfile:1
# The syncwatch sensor image: one static binary in an empty image, run as a
# non-root user that needs only CAP_NET_RAW (AF_PACKET capture) and host
# networking. deploy/image/build.sh builds it with buildah where nothing can
# be pulled; elsewhere: docker build --build-arg BUILDER_IMAGE=golang:1.26 .

# The builder base: any image with the Go toolchain on PATH and a POSIX sh.
# build.sh assembles one from scratch (Go, busybox-static, CA certificates).
ARG BUILDER_IMAGE=golang:1.26

FROM ${BUILDER_IMAGE} AS build
ARG VERSION=dev
ARG REVISION=unknown
WORKDIR /src
# A vendor/ folder in the context (build.sh makes one) builds offline; without
# it, go build downloads the modules.
COPY . .
ENV CGO_ENABLED=0 GOFLAGS=-buildvcs=false GOCACHE=/tmp/go-cache GOPATH=/tmp/go
RUN go build -trimpath -ldflags "-s -w -X main.version=${VERSION} -X main.revision=${REVISION}" \
        -o /out/syncwatch ./cmd/syncwatch \
 && go run ./deploy/image/setcap /out/syncwatch \
 && mkdir -p /out/etc/ssl/certs \
 && cp /etc/ssl/certs/ca-certificates.crt /out/etc/ssl/certs/ca-certificates.crt \
 && printf 'root:x:0:0:root:/:/sbin/nologin\nsyncwatch:x:65532:65532:syncwatch:/nonexistent:/sbin/nologin\n' > /out/etc/passwd \
 && printf 'root:x:0:\nsyncwatch:x:65532:\n' > /out/etc/group \
 && mkdir -p /out/var/lib/syncwatch && chmod 0750 /out/var/lib/syncwatch

FROM scratch
ARG VERSION=dev
ARG REVISION=unknown
ARG CREATED=1970-01-01T00:00:00Z
LABEL org.opencontainers.image.title="syncwatch" \
      org.opencontainers.image.description="Finds the network faults behind Cisco ISE's Posture Configuration Detection alarm from SPAN traffic and switch dACLs" \
      org.opencontainers.image.source="https://github.com/syncwatch/syncwatch" \
      org.opencontainers.image.url="https://github.com/syncwatch/syncwatch" \
      org.opencontainers.image.documentation="https://github.com/syncwatch/syncwatch/blob/main/README.md#operating-syncwatch" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.created="${CREATED}"
COPY --from=build /out/etc/passwd /out/etc/group /etc/
COPY --from=build /out/etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
# The data folder, the sensor's: a named volume mounted on it starts with
# its owner (an empty one would be root's, and the findings unsaved).
COPY --from=build --chown=65532:65532 /out/var/lib/syncwatch /var/lib/syncwatch
# cap_net_raw+ep on the binary: container runtimes give a non-root process
# no ambient capabilities, so this is how uid 65532 gets the CAP_NET_RAW the
# container was granted (cap_add NET_RAW; without it the exec fails).
COPY --from=build /out/syncwatch /syncwatch
USER 65532:65532
EXPOSE 9849
# The image has no shell: the binary checks its own /healthz.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 CMD ["/syncwatch", "healthcheck"]
ENTRYPOINT ["/syncwatch"]
CMD ["run", "--config", "/etc/syncwatch/syncwatch.yml"]
