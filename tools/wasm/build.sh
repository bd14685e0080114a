#!/bin/sh
# build.sh — `make wasm`: compiles src/ring, src/proto/anon.c, the ring and
# receipt checks of src/client and the
# tools/wasm/api.c exports to WebAssembly (wasm32-wasi) with Debian's
# clang, lld and wasi-libc, linked against libsodium, libdecaf and jansson built
# from Debian's own source tarballs (tools/wasm/fetch-sources.sh), into
# build/wasm/dissent-ring.wasm. Everything it makes stays beside the module;
# each library is built once, our files whenever they change.
#
#     sh tools/wasm/build.sh [OUT]      (default build/wasm/dissent-ring.wasm)
#
# Needs the packages scripts/deps.sh installs with `wasm` (clang-14,
# lld-14, wasi-libc, libclang-rt-14-dev-wasm32, cmake, python3, curl).
set -eu
cd "$(dirname "$0")/../.."
out=${1:-build/wasm/dissent-ring.wasm}
# intermediate files beside the module (so that `make BUILD=dir` keeps
# everything under dir)
B=${WASM_BUILD:-$(dirname "$out")}
mkdir -p "$B"
CC=${WASM_CC:-clang-14}
AR=${WASM_AR:-llvm-ar-14}
TARGET="--target=wasm32-wasi"
# -O3: the prover's inner loops are field arithmetic; speed is what a
# person waiting on the progress bar sees.
OPT=${WASM_OPT:--O3}

sh tools/wasm/fetch-sources.sh "$B/src"
SOD=$B/src/libsodium
DEC=$B/src/libdecaf/src
GEN=$B/decaf-gen/gen

# compile SRC OBJ FLAGS...: recompiles only when the source is newer.
compile() {
    src=$1
    obj=$2
    shift 2
    if [ ! -f "$obj" ] || [ "$src" -nt "$obj" ]; then
        mkdir -p "$(dirname "$obj")"
        $CC $TARGET $OPT "$@" -c "$src" -o "$obj"
    fi
}

# ---- libsodium: every file of the library, portable C (no assembly on
# wasm32), randomness from wasi-libc's arc4random (the WASI random_get
# import). Debian's orig tarball is the git tree without a configure
# script; the library compiles without one, with its MSVC version.h.
if [ ! -f "$B/libsodium.a" ]; then
    echo "  WASM    libsodium"
    find "$SOD/src/libsodium" -name '*.c' | sort >"$B/sodium.list"
    while read -r f; do
        o=$B/obj/sodium/$(echo "${f#"$SOD"/src/libsodium/}" | tr / _ | sed 's/\.c$/.o/')
        # utils.c includes <signal.h> for its guard pages' failure path
        compile "$f" "$o" -std=c99 -D_GNU_SOURCE -D_WASI_EMULATED_SIGNAL -DCONFIGURED=1 \
            -I"$SOD/src/libsodium/include/sodium" -I"$SOD/builds/msvc" -w
    done <"$B/sodium.list"
    rm -f "$B/libsodium.a.tmp"
    $AR rcs "$B/libsodium.a.tmp" "$B"/obj/sodium/*.o
    mv "$B/libsodium.a.tmp" "$B/libsodium.a"
fi

# ---- libdecaf: its generated sources come from its own Python templates
# (what its CMake build runs); then the curve25519 files with the portable
# 32-bit field code (arch_32), as Debian's build does on 32-bit targets.
if [ ! -f "$B/libdecaf.a" ]; then
    echo "  WASM    libdecaf"
    mkdir -p "$B/decaf-gen"
    (cd "$B/decaf-gen" &&
        cmake -DENABLE_TESTS=OFF -DENABLE_SHARED=OFF -DPYTHON_EXECUTABLE="$(command -v python3)" \
            -DGENERATED_SOURCE_PATH="$PWD/gen" ../src/libdecaf >cmake.log 2>&1 &&
        make generatedCode >gen.log 2>&1) || {
        echo "build.sh: generating libdecaf's sources failed (see $B/decaf-gen/*.log)" >&2
        exit 1
    }
    objs=""
    for f in "$DEC/utils.c" "$DEC/p25519/arch_32/f_impl.c" "$DEC/p25519/f_arithmetic.c" \
        "$GEN/c/p25519/f_generic.c" "$GEN/c/curve25519/decaf.c" "$GEN/c/curve25519/elligator.c" \
        "$GEN/c/curve25519/scalar.c" "$DEC/curve25519/decaf_tables.c"; do
        o=$B/obj/decaf/$(basename "$f" .c).o
        # portable_endian.h knows no WASI: give it wasi-libc's <endian.h>
        compile "$f" "$o" -std=c99 -D__PORTABLE_ENDIAN_H__ -include endian.h -I"$DEC/include" \
            -I"$DEC/include/arch_32" -I"$DEC/p25519" -I"$GEN/c/p25519" -I"$DEC/p25519/arch_32" \
            -I"$GEN/include" -w
        objs="$objs $o"
    done
    rm -f "$B/libdecaf.a.tmp"
    # shellcheck disable=SC2086
    $AR rcs "$B/libdecaf.a.tmp" $objs
    mv "$B/libdecaf.a.tmp" "$B/libdecaf.a"
fi

# ---- jansson: its portable C, with the configuration header its own
# source ships for builds without configure (android/jansson_config.h:
# long long integers, no localeconv), for the ring checks of the log
# (client/ringcheck.c) that read the JSON the page fetched.
JAN=$B/src/jansson
if [ ! -f "$B/libjansson.a" ]; then
    echo "  WASM    jansson"
    mkdir -p "$B/jansson-include"
    cp "$JAN/android/jansson_config.h" "$JAN/src/jansson.h" "$B/jansson-include/"
    # what its configure would find in wasi-libc (the hash seed comes from
    # the clock: a page's own JSON needs no protection from hash flooding)
    printf '#define HAVE_STDINT_H 1\n#define HAVE_UNISTD_H 1\n#define HAVE_SYS_TYPES_H 1\n#define HAVE_SYS_TIME_H 1\n#define HAVE_GETTIMEOFDAY 1\n' \
        >"$B/jansson-include/jansson_private_config.h"
    objs=""
    for f in "$JAN"/src/*.c; do
        o=$B/obj/jansson/$(basename "$f" .c).o
        compile "$f" "$o" -std=c99 -DHAVE_CONFIG_H=1 -I"$B/jansson-include" -w
        objs="$objs $o"
    done
    rm -f "$B/libjansson.a.tmp"
    # shellcheck disable=SC2086
    $AR rcs "$B/libjansson.a.tmp" $objs
    mv "$B/libjansson.a.tmp" "$B/libjansson.a"
fi

# ---- ours, with the native build's warnings: the ring and the protocol
# texts, and the CLI's checks of rings and receipts against the log
# (client/ringcheck.c, client/receipts.c and what they need)
ours="src/base/err.c src/base/util.c src/base/buf.c src/base/json.c src/base/json_out.c src/proto/anon.c
src/proto/events.c src/proto/commit.c src/proto/names.c src/proto/receipt.c src/tlog/hash.c
src/tlog/note.c src/tlog/checkpoint.c src/tlog/proof.c src/client/anon.c src/client/ringcheck.c
src/client/logrange.c src/client/receipts.c tools/wasm/nofiles.c tools/wasm/api.c $(ls src/ring/*.c)"
objs=""
for f in $ours; do
    o=$B/obj/dissent/$(echo "$f" | tr / _ | sed 's/\.c$/.o/')
    # a header change must rebuild: compare against every header we include
    for h in src/ring/*.h src/base/*.h src/proto/*.h src/tlog/*.h src/client/*.h tools/wasm/*.h \
        tools/wasm/include/*.h; do
        if [ -f "$o" ] && [ "$h" -nt "$o" ]; then rm -f "$o"; fi
    done
    compile "$f" "$o" -std=c11 -D_DEFAULT_SOURCE -D_POSIX_C_SOURCE=200809L -Wall -Wextra -Werror \
        -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wvla -Itools/wasm/include -Isrc \
        -I"$SOD/src/libsodium/include" -I"$SOD/builds/msvc" -I"$GEN/include" -I"$B/jansson-include"
    objs="$objs $o"
done

echo "  WASM    $out"
# A reactor module (no main): the page calls the exports. 1 MiB of stack;
# memory grows as rings and Argon2id need it.
# shellcheck disable=SC2086
$CC $TARGET $OPT -mexec-model=reactor -o "$out.tmp" $objs "$B/libsodium.a" "$B/libdecaf.a" "$B/libjansson.a" \
    -lwasi-emulated-signal -Wl,-z,stack-size=1048576 -Wl,--strip-debug -Wl,--gc-sections
mv "$out.tmp" "$out"
