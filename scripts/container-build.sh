#!/usr/bin/env bash
# Builds an app's container image (FROM scratch) from its static Linux binary and its rootfs.
#
#   scripts/container-build.sh NAME [BUILD]
#
# The build context is a staging folder that holds exactly what apps/NAME/Containerfile may COPY:
#   NAME      the static Linux binary (BUILD/NAME/NAME.linux, built from the same objects as the image)
#   rootfs/   a copy of apps/NAME/rootfs/ (empty when the app has none)
# The image is tagged localhost/atoll-NAME:latest and saved as BUILD/NAME/NAME.oci.tar.
set -euo pipefail

name=${1:?usage: scripts/container-build.sh NAME [BUILD]}
build=${2:-build}
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
containerfile="$root/apps/$name/Containerfile"
binary="$build/$name/$name.linux"
[[ $build == /* ]] || binary="$root/$binary"

if [[ ! -f $containerfile ]]; then
    echo "container-build: apps/$name/Containerfile not found: write one (FROM scratch, COPY $name /$name)" >&2
    exit 1
fi
if [[ ! -x $binary ]]; then
    echo "container-build: $binary not found: run make first" >&2
    exit 1
fi
if ! command -v podman >/dev/null 2>&1; then
    echo "container-build: podman not found: apt-get install podman runc (or run scripts/install-deps.sh)" >&2
    exit 1
fi

stage="$(dirname "$binary")/container"
rm -rf "$stage"
mkdir -p "$stage/rootfs"
cp "$binary" "$stage/$name"
if [[ -d $root/apps/$name/rootfs ]]; then
    cp -a "$root/apps/$name/rootfs/." "$stage/rootfs/"
fi

tag="localhost/atoll-$name:latest"
podman build --quiet --runtime runc --cgroup-manager cgroupfs -t "$tag" -f "$containerfile" "$stage" >/dev/null
archive="$(dirname "$binary")/$name.oci.tar"
rm -f "$archive"
podman save --quiet --format oci-archive -o "$archive" "$tag"
echo "container-build: $tag ($(du -k "$archive" | cut -f1) KiB archive: $archive)"
