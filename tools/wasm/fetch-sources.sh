#!/bin/sh
# fetch-sources.sh — downloads the Debian source tarballs of the three C
# libraries the WebAssembly build needs (libsodium, libdecaf, jansson), checks them
# against the SHA-256 digests pinned below, and unpacks them under DIR
# (default build/wasm/src). Nothing fetched here is ever committed: the
# tarballs are Debian's own (bookworm main, the versions libsodium-dev,
# libdecaf-dev and libjansson-dev are built from), so the browser runs the same library code
# as the native binary.
#
#     sh tools/wasm/fetch-sources.sh [DIR]
#
# To move to new versions, take the file names and "Checksums-Sha256" from
# bookworm's source index (dists/bookworm/main/source/Sources.xz) and change
# the table; a tarball whose digest differs is refused, never unpacked.
set -eu
cd "$(dirname "$0")/../.."
dir=${1:-build/wasm/src}
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}

# name  pool path  sha256
sources="
libsodium pool/main/libs/libsodium/libsodium_1.0.18.orig.tar.gz d59323c6b712a1519a5daf710b68f5e7fde57040845ffec53850911f10a5d4f4
libdecaf pool/main/libd/libdecaf/libdecaf_1.0.2.orig.tar.gz 96ce1f59bfc6257748d44dffeb40684c886a0742a8ed10524201e6ad95598552
jansson pool/main/j/jansson/jansson_2.14.orig.tar.gz c739578bf6b764aa0752db9a2fdadcfe921c78f1228c7ec0bb47fa804c55d17b
"

mkdir -p "$dir"
echo "$sources" | while read -r name path sum; do
    [ -n "$name" ] || continue
    [ -f "$dir/$name/.unpacked" ] && continue
    file=$dir/$(basename "$path")
    if [ ! -f "$file" ] || ! echo "$sum  $file" | sha256sum -c --status; then
        echo "  FETCH   $mirror/$path"
        curl -fsSL --retry 3 -o "$file.part" "$mirror/$path"
        if ! echo "$sum  $file.part" | sha256sum -c --status; then
            echo "fetch-sources.sh: $path does not have the pinned SHA-256 $sum; refusing it" >&2
            rm -f "$file.part"
            exit 1
        fi
        mv "$file.part" "$file"
    fi
    rm -rf "$dir/$name"
    mkdir -p "$dir/$name"
    tar -xzf "$file" -C "$dir/$name" --strip-components=1
    touch "$dir/$name/.unpacked"
done
