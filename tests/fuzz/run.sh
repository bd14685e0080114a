#!/usr/bin/env bash
# Builds every libFuzzer harness (tests/fuzz/<layer>/fuzz_*.c) with clang under
# ASan and UBSan into build-fuzz/, then runs each for a bounded time on a
# temporary copy of its seed corpus (tests/fuzz/corpus/<name>/, plus shared
# test vectors where they fit, read in place), so committed corpora never grow.
#
#   bash tests/fuzz/run.sh                    every harness, FUZZ_SECONDS (15) each
#   FUZZ_SECONDS=600 bash tests/fuzz/run.sh   a longer run
#   bash tests/fuzz/run.sh fuzz_tmpl ...      only the harnesses named
#
# Environment: FUZZ_SECONDS, FUZZ_JOBS (harnesses run at once; default: cores,
# at most 2), FUZZ_RSS_MB (default 1024), DISSENT_VECTORS (default
# ../shared/vectors), CLANG (default clang).
# Crash, leak and timeout inputs are kept in build-fuzz/crashes/<harness>-*;
# each run's log is build-fuzz/logs/<harness>.log. Reproduce a crash with
#   build-fuzz/bin/<harness> build-fuzz/crashes/<file>
# Ends with "fuzz: N passed, N failed"; exits 1 if any harness failed.
set -uo pipefail

cd "$(dirname "$0")/../.."
ROOT=$PWD
OUT=$ROOT/build-fuzz
SECONDS_EACH=${FUZZ_SECONDS:-15}
RSS=${FUZZ_RSS_MB:-1024}
CLANG=${CLANG:-clang}
VECTORS=${DISSENT_VECTORS:-$ROOT/../shared/vectors}
cores=$(nproc 2>/dev/null || echo 1)
JOBS=${FUZZ_JOBS:-$((cores >= 2 ? 2 : 1))}

skip() {
  echo "fuzz: $1"
  echo "fuzz: 0 passed, 0 failed (skipped: $1)"
  exit 0
}

# ---- is there a clang with libFuzzer? --------------------------------------
command -v "$CLANG" >/dev/null 2>&1 || skip "no clang (Debian: apt-get install clang libclang-rt-14-dev)"
mkdir -p "$OUT/probe"
printf '%s\n' '#include <stddef.h>' '#include <stdint.h>' \
  'int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n);' \
  'int LLVMFuzzerTestOneInput(const uint8_t *d, size_t n) { (void)d; (void)n; return 0; }' \
  >"$OUT/probe/probe.c"
"$CLANG" -fsanitize=fuzzer,address,undefined "$OUT/probe/probe.c" -o "$OUT/probe/probe" \
  >"$OUT/probe/log" 2>&1 || skip "clang cannot build with -fsanitize=fuzzer (Debian: apt-get install libclang-rt-14-dev)"

# ---- flags: the Makefile's, for clang, with the fuzzer's instrumentation ----
PKGS="libmicrohttpd jansson sqlite3 libsodium libcurl libcmark libpq liboath"
PKG_CFLAGS=$(pkg-config --cflags $PKGS 2>/dev/null) || skip "pkg-config cannot find $PKGS (run scripts/deps.sh)"
PKG_LIBS=$(pkg-config --libs $PKGS 2>/dev/null)
SAN="-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer"
CFLAGS="-std=c11 -D_DEFAULT_SOURCE -D_POSIX_C_SOURCE=200809L -g -O1 $SAN -fsanitize=fuzzer-no-link -Isrc $PKG_CFLAGS -I/usr/include/decaf"
WARN="-Wall -Wextra -Wshadow -Wstrict-prototypes -Wmissing-prototypes -Wvla -Wno-unused-command-line-argument"
LIBS="$PKG_LIBS -ldecaf -lpthread -lm"

# Who may call whom (the Makefile's DEPS_* table).
declare -A DEPS=(
  [base]="base" [tlog]="tlog base" [ring]="ring base" [proto]="proto ring tlog base"
  [store]="store base" [channel]="channel store proto tlog ring base"
  [http]="http channel store proto tlog ring base" [client]="client proto ring tlog base"
)

# Seeds read in place from the shared vectors (read-only: libFuzzer writes new
# inputs only into the first corpus directory, the temporary copy).
declare -A VECTOR_SEEDS=(
  [fuzz_point]="ristretto255"
  [fuzz_proof]="merkle"
)

mkdir -p "$OUT/obj" "$OUT/lib" "$OUT/bin" "$OUT/logs" "$OUT/crashes"

# ---- build ------------------------------------------------------------------
harnesses=()
for f in tests/fuzz/*/fuzz_*.c; do
  [ -e "$f" ] || continue
  name=$(basename "$f" .c)
  if [ $# -gt 0 ]; then
    want=0
    for a in "$@"; do [ "$a" = "$name" ] && want=1; done
    [ $want = 1 ] || continue
  fi
  harnesses+=("$f")
done
[ ${#harnesses[@]} -gt 0 ] || skip "no harness matches: $*"

needed=()
for f in "${harnesses[@]}"; do
  layer=$(basename "$(dirname "$f")")
  for l in ${DEPS[$layer]}; do
    case " ${needed[*]} " in *" $l "*) ;; *) needed+=("$l") ;; esac
  done
done

echo "fuzz: building ${#harnesses[@]} harnesses with $("$CLANG" --version | head -n 1)"
t0=$(date +%s)
compile_one() { # src obj
  if [ ! -e "$2" ] || [ "$1" -nt "$2" ] || [ -n "$(find src -name '*.h' -newer "$2" -print -quit)" ]; then
    mkdir -p "$(dirname "$2")"
    "$CLANG" $CFLAGS $WARN -c "$1" -o "$2" || return 1
  fi
}
export -f compile_one
export CLANG CFLAGS WARN
srcs=()
for l in "${needed[@]}"; do
  for c in src/"$l"/*.c; do srcs+=("$c"); done
done
if ! printf '%s\n' "${srcs[@]}" |
  xargs -P "$cores" -I{} bash -c 'compile_one "$1" "$2"' _ {} "$OUT/obj/{}.o" >"$OUT/logs/build.log" 2>&1; then
  cat "$OUT/logs/build.log"
  echo "fuzz: 0 passed, ${#harnesses[@]} failed (the library did not build with clang)"
  exit 1
fi
for l in "${needed[@]}"; do
  rm -f "$OUT/lib/lib$l.a"
  ar rcs "$OUT/lib/lib$l.a" "$OUT"/obj/src/"$l"/*.c.o
done

build_failed=()
for f in "${harnesses[@]}"; do
  name=$(basename "$f" .c)
  layer=$(basename "$(dirname "$f")")
  libs=""
  for l in ${DEPS[$layer]}; do libs="$libs $OUT/lib/lib$l.a"; done
  if ! "$CLANG" $CFLAGS $WARN -Werror -fsanitize=fuzzer "$f" $libs $LIBS -o "$OUT/bin/$name" \
    >"$OUT/logs/$name.build.log" 2>&1; then
    cat "$OUT/logs/$name.build.log"
    build_failed+=("$name")
  fi
done
echo "fuzz: built in $(($(date +%s) - t0)) s; running each for ${SECONDS_EACH} s, $JOBS at a time"

# ---- run --------------------------------------------------------------------
WORK=$(mktemp -d "${TMPDIR:-/tmp}/dissent-fuzz.XXXXXX")
trap 'rm -rf "$WORK"' EXIT

run_one() { # name -> writes $WORK/<name>.result
  local name=$1 corpus=$WORK/corpus/$1 extra=() rc
  mkdir -p "$corpus"
  if [ -d "tests/fuzz/corpus/$name" ]; then
    cp -R "tests/fuzz/corpus/$name/." "$corpus/"
  fi
  for v in ${VECTOR_SEEDS[$name]:-}; do
    [ -d "$VECTORS/$v" ] && extra+=("$VECTORS/$v")
  done
  TMPDIR=$WORK "$OUT/bin/$name" -max_total_time="$SECONDS_EACH" -rss_limit_mb="$RSS" \
    -timeout=25 -max_len=8192 -print_final_stats=1 \
    -artifact_prefix="$OUT/crashes/$name-" "$corpus" "${extra[@]}" >"$OUT/logs/$name.log" 2>&1
  rc=$?
  local runs cov
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$OUT/logs/$name.log" | tail -n 1)
  cov=$(grep -o 'cov: [0-9]*' "$OUT/logs/$name.log" | tail -n 1 | cut -d' ' -f2)
  if [ $rc -eq 0 ]; then
    printf 'ok %s %s runs, coverage %s\n' "$name" "${runs:-?}" "${cov:-?}" >"$WORK/$name.result"
  else
    local why
    why=$(grep -m1 -oE 'ERROR: (AddressSanitizer|LeakSanitizer|libFuzzer|UndefinedBehaviorSanitizer)[^(]*|runtime error:.*|invariant failed:.*' "$OUT/logs/$name.log" | head -n 1)
    printf 'FAIL %s exit %s: %s (log build-fuzz/logs/%s.log)\n' "$name" "$rc" "${why:-see log}" "$name" >"$WORK/$name.result"
  fi
}
export -f run_one
export OUT WORK SECONDS_EACH RSS VECTORS

names=()
for f in "${harnesses[@]}"; do
  n=$(basename "$f" .c)
  case " ${build_failed[*]:-} " in *" $n "*) continue ;; esac
  names+=("$n")
done
t1=$(date +%s)
running=0
for n in "${names[@]}"; do
  run_one "$n" &
  running=$((running + 1))
  if [ $running -ge "$JOBS" ]; then
    wait -n
    running=$((running - 1))
  fi
done
wait

passed=0
failed=0
for n in "${names[@]}"; do
  if [ -f "$WORK/$n.result" ] && read -r status rest <"$WORK/$n.result"; then
    if [ "$status" = ok ]; then
      passed=$((passed + 1))
      echo "fuzz: ok    $rest"
    else
      failed=$((failed + 1))
      echo "fuzz: FAIL  $rest"
    fi
  else
    failed=$((failed + 1))
    echo "fuzz: FAIL  $n (no result)"
  fi
done
for n in "${build_failed[@]:-}"; do
  [ -n "$n" ] || continue
  failed=$((failed + 1))
  echo "fuzz: FAIL  $n did not build (build-fuzz/logs/$n.build.log)"
done
echo "fuzz: ran in $(($(date +%s) - t1)) s; crashes (if any) in build-fuzz/crashes/"
echo "fuzz: $passed passed, $failed failed"
[ $failed -eq 0 ]
