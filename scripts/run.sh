#!/usr/bin/env bash
# `make run`: creates dissent.db with the demo if there is none, prints how
# to log in, and serves on 127.0.0.1:8080 (DISSENT_DB and DISSENT_LISTEN
# change either).
set -euo pipefail
bin=$1
db=${DISSENT_DB:-dissent.db}
listen=${DISSENT_LISTEN:-127.0.0.1:8080}
"$bin" demo --db "$db" || {
  echo "dissent: $db exists and is not a demo installation; serving it as it is" >&2
}
cat <<EOT

Log in with a browser at http://$listen/ or from the command line:
    $bin login --server http://$listen --user alice     (password alice-demo-pass)
    $bin memo list
Stop the server with Ctrl-C. Delete $db to start the demo afresh.
Anonymous signatures and enrollments are published in batches every minute here
(DISSENT_BATCH_INTERVAL; a real installation's default is hourly).

EOT
exec "$bin" serve --db "$db" --listen "$listen" --batch-interval "${DISSENT_BATCH_INTERVAL:-60}"
