#!/usr/bin/env bash
# Builds, once, the local base images that stand in for Microsoft's .NET images on a machine that reaches no
# container registry: a Debian bookworm root file system made with debootstrap (from Debian's package mirror) and
# imported, then this machine's own .NET runtime (for the server image) and SDK (for the build stage) copied in.
# Nothing here is committed: the root file system is built in $ES_BASE_WORKDIR and thrown away after the import.
#
#   deploy/local-base-images.sh           build whatever is missing, reuse what is present
#   ES_BASE_REBUILD=1 deploy/...           build all three again
#
# Then: docker build --network host --build-arg SDK_IMAGE=embeddingstore-local/sdk:10.0 \
#         --build-arg RUNTIME_IMAGE=embeddingstore-local/aspnet:10.0 -t embeddingstore:local .
set -euo pipefail

debian_image=embeddingstore-local/debian:bookworm
runtime_image=embeddingstore-local/aspnet:10.0
sdk_image=embeddingstore-local/sdk:10.0
workdir="${ES_BASE_WORKDIR:-/var/tmp/embeddingstore-base}"
dotnet_root="$(dirname "$(readlink -f "$(command -v dotnet)")")"

present() { [ "${ES_BASE_REBUILD:-0}" != 1 ] && docker image inspect "$1" > /dev/null 2>&1; }

if ! present "$debian_image"; then
    command -v debootstrap > /dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq debootstrap; }
    rm -rf "$workdir/rootfs"
    mkdir -p "$workdir"
    # libicu72 for globalization and ca-certificates for TLS: what Microsoft's runtime-deps image adds to Debian.
    debootstrap --variant=minbase --include=libicu72,ca-certificates,tzdata bookworm "$workdir/rootfs" http://deb.debian.org/debian
    rm -rf "$workdir/rootfs/var/cache/apt/archives/"*.deb "$workdir/rootfs/var/lib/apt/lists/"*
    tar -C "$workdir/rootfs" -c . | docker import \
        --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
        --change 'CMD ["/bin/bash"]' - "$debian_image"
    rm -rf "$workdir/rootfs"
fi

# The .NET parts are copied from the machine's own installation into a scratch build context.
build_dotnet_image() {
    local image="$1" kind="$2" context="$workdir/context-$2"
    rm -rf "$context"
    mkdir -p "$context/dotnet"
    if [ "$kind" = runtime ]; then
        cp -a "$dotnet_root/dotnet" "$dotnet_root/host" "$dotnet_root/shared" "$dotnet_root/LICENSE.txt" "$context/dotnet/" 2> /dev/null || \
            cp -a "$dotnet_root/dotnet" "$dotnet_root/host" "$dotnet_root/shared" "$context/dotnet/"
    else
        cp -a "$dotnet_root/." "$context/dotnet/"
    fi
    # The build stage restores from NuGet as this machine does, so it trusts the same locally added roots (if any).
    mkdir -p "$context/ca"
    if [ "$kind" = sdk ] && [ -d /usr/local/share/ca-certificates ]; then
        cp -a /usr/local/share/ca-certificates/. "$context/ca/"
    fi
    # The same environment and user (uid 1654, "app") as Microsoft's images, so the Dockerfile works on either.
    cat > "$context/Dockerfile" << DOCKERFILE
FROM $debian_image
COPY dotnet /usr/share/dotnet
COPY ca /usr/local/share/ca-certificates
RUN update-ca-certificates > /dev/null && ln -s /usr/share/dotnet/dotnet /usr/bin/dotnet && groupadd --gid 1654 app && useradd --uid 1654 --gid 1654 --create-home app
ENV APP_UID=1654 DOTNET_RUNNING_IN_CONTAINER=true DOTNET_ROOT=/usr/share/dotnet \
    DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 NUGET_CERT_REVOCATION_MODE=offline
DOCKERFILE
    docker build --network host -q -t "$image" "$context" > /dev/null
    rm -rf "$context"
}

present "$runtime_image" || build_dotnet_image "$runtime_image" runtime
present "$sdk_image" || build_dotnet_image "$sdk_image" sdk
docker image ls --format '{{.Repository}}:{{.Tag}} {{.Size}}' | grep '^embeddingstore-local/'
