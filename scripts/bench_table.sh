#!/usr/bin/env bash
# bench_table.sh FIGURES — the summary that ends `make bench`: every row of
# issue #12's goals table with the figure this run measured, the goal, and
# whether it is met (or the ratio), then the ring figures against Semaphore
# v4's on this kind of machine (prove 744 ms, verify 17.1 ms, 256 B at 2^16).
#
# FIGURES holds "name<TAB>value<TAB>unit" lines that the benchmarks append
# (bench/bench_figures.h); the last value of a name wins. A row whose bench
# did not run (PostgreSQL missing, a quick run) says "not measured". Figures
# are printed, never asserted: this script always exits 0.
set -u
figures=${1:?usage: bench_table.sh FIGURES}
[ -f "$figures" ] || { echo "bench: no figures file ($figures): no summary table"; exit 0; }

awk -F '\t' '
function has(k) { return (k in f) }
function v(k) { return f[k] + 0 }
function yes(c) { return c ? "yes" : "no" }
function row(what, now, goal, met) {
  printf "| %-44s | %-64s | %-44s | %-26s |\n", what, now, goal, met
}
function nm(what, goal) { row(what, "not measured in this run", goal, "-") }
{ f[$1] = $2 }
END {
  print ""
  print "== goals of issue #12 (figures of this run; printed, never asserted)"
  row("what", "now", "goal", "met? / ratio")
  row("--------------------------------------------", \
      "----------------------------------------------------------------", \
      "--------------------------------------------", "--------------------------")

  g = ">= 10,000/s, p99 <= 20 ms, >= 4x one commit"
  if (has("named_http_rps"))
    row("named co-signatures over HTTP, durable", \
        sprintf("%.0f/s, p99 %.1f ms, %.2fx one-commit-per-request (%.0f/s), %.0f us server CPU/request", \
                v("named_http_rps"), v("named_http_p99_ms"), v("named_http_ratio"), \
                v("named_http_one_commit_rps"), v("named_http_cpu_us")), g, \
        sprintf("%s (%.2f of 10,000/s)", \
                yes(v("named_http_rps") >= 10000 && v("named_http_p99_ms") <= 20 && \
                    v("named_http_ratio") >= 4), v("named_http_rps") / 10000))
  else nm("named co-signatures over HTTP, durable", g)

  g = "as fast as with the demo roll alone"
  if (has("named_http_big_roll_rps"))
    row("the same, 100,000 more members on the roll", \
        sprintf("%.0f/s", v("named_http_big_roll_rps")), g, \
        sprintf("%.2fx the demo roll", \
                v("named_http_rps") > 0 ? v("named_http_big_roll_rps") / v("named_http_rps") : 0))
  else nm("the same, 100,000 more members on the roll", g)

  g = "as fast as without them"
  if (has("named_http_many_anon_rps"))
    row("the same, 8,000 anonymous signatures per memo", \
        sprintf("%.0f/s", v("named_http_many_anon_rps")), g, \
        sprintf("%.2fx without", \
                v("named_http_rps") > 0 ? v("named_http_many_anon_rps") / v("named_http_rps") : 0))
  else nm("the same, 8,000 anonymous signatures per memo", g)

  g = ">= 200/s, /healthz p99 <= 50 ms"
  if (has("anon_rps")) {
    at = v("anon_log2")
    row(sprintf("anonymous co-signatures at 2^%d, sustained", at), \
        sprintf("%.1f/s (%.2fx each alone), /healthz p50 %.2f p99 %.1f ms", v("anon_rps"), \
                v("anon_ratio"), v("anon_health_p50_ms"), v("anon_health_p99_ms")), g, \
        at == 16 ? sprintf("%s (%.2f of 200/s)", \
                           yes(v("anon_rps") >= 200 && v("anon_health_p99_ms") <= 50), \
                           v("anon_rps") / 200) \
                 : sprintf("n/a: ran at 2^%d, not 2^16", at))
  } else nm("anonymous co-signatures at 2^16, sustained", g)

  g = "/healthz p99 <= 100 ms"
  if (has("slow_health_p99_ms"))
    row(sprintf("%d slow connections", v("slow_n")), \
        sprintf("/healthz p99 %.1f ms (no clients: %.2f ms)", v("slow_health_p99_ms"), \
                v("slow_baseline_p99_ms")), g, yes(v("slow_health_p99_ms") <= 100))
  else nm("1,000 slow connections", g)

  g = "<= 400 ms, proof <= 2.5 KB, constant-time"
  if (has("ring16_prove_ms"))
    row("prove at 2^16", \
        sprintf("%.0f ms, proof %d B (constant time: by construction)", v("ring16_prove_ms"), \
                v("ring16_proof_bytes")), g, \
        sprintf("%s (%.2f of 400 ms)", \
                yes(v("ring16_prove_ms") <= 400 && v("ring16_proof_bytes") <= 2560), \
                v("ring16_prove_ms") / 400))
  else nm("prove at 2^16", g)

  g = "<= 1.5 ms/proof"
  if (has("ring16_batch1000_ms"))
    row("batch verify at 2^16, 1,000 proofs", sprintf("%.2f ms/proof", v("ring16_batch1000_ms")), \
        g, sprintf("%s (%.2f of 1.5)", yes(v("ring16_batch1000_ms") <= 1.5), \
                   v("ring16_batch1000_ms") / 1.5))
  else nm("batch verify at 2^16, 1,000 proofs", g)

  g = "<= 100 ms"
  if (has("ring16_verify_ms"))
    row("verify one proof at 2^16", sprintf("%.1f ms", v("ring16_verify_ms")), g, \
        sprintf("%s (%.2f of 100 ms)", yes(v("ring16_verify_ms") <= 100), \
                v("ring16_verify_ms") / 100))
  else nm("verify one proof at 2^16", g)

  g = "prove <= 6 s, batch <= 25 ms/proof"
  b20 = has("ring20_batch1000_ms") ? "ring20_batch1000_ms" : "ring20_batch100_ms"
  if (has("ring20_prove_ms") && has(b20))
    row("2^20 members", sprintf("prove %.2f s, batch %.1f ms/proof", v("ring20_prove_ms") / 1000, \
                                v(b20)), g, \
        yes(v("ring20_prove_ms") <= 6000 && v(b20) <= 25))
  else nm("2^20 members", g)

  g = ">= 25,000/s, 304s cheaper still"
  if (has("checkpoint_rps"))
    row("public checkpoint reads", \
        sprintf("%.0f/s (%.2fx --workers 1), 304s %.0f/s (%.2fx)", v("checkpoint_rps"), \
                v("checkpoint_one_worker_rps") > 0 ? v("checkpoint_rps") / v("checkpoint_one_worker_rps") : 0, \
                v("checkpoint_304_rps"), \
                v("checkpoint_rps") > 0 ? v("checkpoint_304_rps") / v("checkpoint_rps") : 0), g, \
        sprintf("%s (%.2f of 25,000/s)", \
                yes(v("checkpoint_rps") >= 25000 && v("checkpoint_304_rps") > v("checkpoint_rps")), \
                v("checkpoint_rps") / 25000))
  else nm("public checkpoint reads", g)

  g = "reads <= 3x slower; writes <= 2x"
  if (has("store_pg_read_ratio"))
    row("store on PostgreSQL vs SQLite (bench_store)", \
        sprintf("reads %.2fx slower (a one-row read: %.2fx), writes %.2fx", \
                v("store_pg_read_ratio"), v("store_pg_floor_ratio"), v("store_pg_write_ratio")), g, \
        yes(v("store_pg_read_ratio") <= 3 && v("store_pg_write_ratio") <= 2))
  else nm("store on PostgreSQL vs SQLite (bench_store)", g)

  g = "printed, with the ratio to one"
  if (has("two_serve_checkpoint_ratio"))
    row("two serve processes on one PostgreSQL", \
        sprintf("checkpoints %.0f/s (%.2fx one), memo pages %.0f/s (%.2fx)", \
                v("two_serve_checkpoint_rps"), v("two_serve_checkpoint_ratio"), \
                v("two_serve_pages_rps"), v("two_serve_pages_ratio")), g, "printed")
  else nm("two serve processes on one PostgreSQL", g)

  print ""
  print "== against Semaphore v4 at 2^16 on this kind of machine (prove 744 ms, verify 17.1 ms, 256 B); < 1 is faster/smaller"
  if (has("ring16_prove_ms"))
    printf "prove %.2fx   verify one %.2fx   batch verify per proof (1,000) %s   proof size %.1fx\n", \
           v("ring16_prove_ms") / 744, v("ring16_verify_ms") / 17.1, \
           has("ring16_batch1000_ms") ? sprintf("%.2fx", v("ring16_batch1000_ms") / 17.1) : "not measured", \
           v("ring16_proof_bytes") / 256
  else print "not measured in this run (bench_ring at 2^16)"
}' "$figures"
# Wall-clock figures: other work on the machine lowers them.
if [ -r /proc/loadavg ]; then
  echo "load average at the end: $(cut -d' ' -f1-3 /proc/loadavg) on $(nproc 2>/dev/null || echo '?') cores (wall-clock figures; other work on the machine lowers them)"
fi
exit 0
