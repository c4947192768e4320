"""A sandbox of shards for tests: `python -m mock_server --shards 2` in a subprocess (the real
launcher, its own Redis), read from its banner."""
import re
import shutil
from types import SimpleNamespace

import pytest

from .server import start, stop

SHARD_LINE = re.compile(r"^  shard (\d+)\s+(https?://\S+)  accounts: (.*)$")
needs_redis = pytest.mark.skipif(shutil.which("redis-server") is None,
                                 reason="redis-server is missing (apt-get install redis-server; "
                                        "./dev test installs it as root)")


def start_shards(args, cwd) -> SimpleNamespace:
    """`python -m mock_server --port 0 --shards 2 ARGS` in `cwd`, started (deadline: start's):
    `.proc`, `.first` and `.second` (the shards' URLs), `.urls` and `.owned` by shard index."""
    # the launcher prints its banner once both shards serve: twice a sandbox's start, or more
    # on a busy machine
    proc, _, lines = start(["--shards", "2", "--log-level", "WARNING", *args], cwd, timeout=90)
    urls, owned = {}, {}
    while len(urls) < 2:  # the banner's shard lines follow the listening line
        line = proc.stdout.readline()
        if not line:
            stop(proc)
            raise AssertionError("the banner ended early:\n" + "".join(lines))
        lines.append(line)
        match = SHARD_LINE.match(line.rstrip("\n"))
        if match:
            urls[int(match[1])] = match[2]
            owned[int(match[1])] = [] if match[3] == "none" else match[3].split(", ")
    return SimpleNamespace(proc=proc, first=urls[0], second=urls[1], urls=urls, owned=owned)
