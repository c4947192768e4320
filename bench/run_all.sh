#!/usr/bin/env bash
# Every measurement of bench/README.md's tables, in order (about 25 minutes on 2 CPUs).
# Needs wrk (apt-get install -y wrk) and, for the non-default stacks, gunicorn and waitress
# in .venv. Results: stdout and bench/results/*.json. Run from anywhere.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
Q="--quiet-wait 600"  # the machine may be shared: wait for it to be idle before each run
$PY bench/poll_vs_bare.py --stack all $Q
$PY bench/poll_vs_bare.py --stack gevent --from-zero $Q
for stack in gevent gevent-nagle werkzeug gunicorn-gevent gunicorn-gthread waitress; do
  $PY bench/concurrent_chats.py --stack "$stack" --runs 3 $Q || true  # exit 1 = a target missed
done
# The targets of "Twice as fast on the same stack" (bench/README.md, "Where the time goes"):
$PY bench/poll_vs_bare.py $Q                                                        # poll/bare >= 0.85
$PY bench/concurrent_chats.py --chats 500 --lines 10 --interval 1 --warmup --runs 3 $Q || true   # 0 errors, p99 < 100 ms
$PY bench/concurrent_chats.py --chats 1000 --lines 10 --interval 2 --warmup --runs 3 $Q || true  # 0 errors, p99 < 100 ms
$PY bench/concurrent_chats.py --chats 1000 --lines 10 --interval 1 --warmup --runs 3 $Q || true  # completes, 0 errors
# Two shards vs one process, the same load over two accounts (bench/README.md, "Two shards"):
for chats in 200 500 1000; do
  $PY bench/concurrent_chats.py --shards 2 --chats "$chats" --warmup --timeout 180 $Q || true
done
