"""Control requests that must reach every shard (reset, seed, the clock), over Redis pub/sub.

The shard a client asked runs the request itself, then publishes it (method, path, query,
body) on the shard map's Redis channel; every other shard replays it through its own app and
publishes its answer; the first shard answers the client once all of them have, or says which
did not. Redis carries the messages (the `redis` package's publish and subscribe), nothing else.

Under the CLI (gevent, no monkey-patching) redis-py's sockets would block the whole event loop,
so every Redis call runs on gevent's thread pool while the calling greenlet waits cooperatively.
"""
import json
import logging
import time
import uuid
from functools import wraps
from typing import Callable

from flask import Flask, current_app, request

from .api.common import respond
from .shards import ShardMap
from .wire.errors import envelope

log = logging.getLogger(__name__)

REPLAYED = "sandbox.replayed"  # environ key: a request another shard published; not published again
TIMEOUT = 20.0  # seconds a shard has to replay a request (a reset of a big state takes < 1 s)
BODY_CHARS = 2000  # of a failed replay's answer, quoted back to the client


class RedisUnavailable(RuntimeError):
    """The shard cannot subscribe to its control channel."""


class Fanout:
    """This shard's end of the control channel: it replays what the others publish, and
    publishes what this shard was asked to do everywhere."""

    def __init__(self, app: Flask, url: str, shard_map: ShardMap, make_event: Callable,
                 spawn: Callable, blocking: Callable):
        import redis  # only a sharded sandbox needs it
        self._redis_errors = (redis.RedisError, OSError)
        self.app, self.me = app, shard_map.me
        self.others = len(shard_map.shards) - 1
        self.make_event, self.spawn, self.blocking = make_event, spawn, blocking
        try:
            self.redis = redis.Redis.from_url(url, socket_connect_timeout=5)
        except ValueError as exc:  # not a redis:// URL
            raise RedisUnavailable(f"--redis {url}: {exc}") from None
        prefix = shard_map.channel()
        self.requests, self.answers = f"{prefix}:requests", f"{prefix}:answers"
        self._pending: dict[str, tuple[object, list]] = {}
        self.pubsub = self.redis.pubsub(ignore_subscribe_messages=True)
        # Subscribed before the server listens (an unreachable Redis fails the start), and
        # known to be: Redis answers a PING on the same connection after the SUBSCRIBE, so once
        # the PONG is back a shard that serves hears every request published.
        try:
            self.pubsub.subscribe(self.requests, self.answers)
            self.pubsub.ping()
            deadline = time.monotonic() + 10
            while (self.pubsub.get_message(timeout=1.0) or {}).get("type") != "pong":
                if time.monotonic() > deadline:
                    raise RedisUnavailable(f"Redis at {url} did not confirm the subscription")
        except self._redis_errors as exc:
            raise RedisUnavailable(f"cannot reach Redis at {url}: {exc}") from None
        spawn(self._listen)

    # --- the shard that was asked --------------------------------------------------------------

    def run_everywhere(self, method: str, path: str, query: str, body: bytes,
                       content_type: str | None) -> list[str]:
        """Publish a request this shard has run; wait for every other shard's answer. The
        problems, in words (empty when every shard answered 2xx)."""
        if self.others == 0:
            return []
        key = uuid.uuid4().hex
        event, answers = self.make_event(), []
        self._pending[key] = (event, answers)
        message = json.dumps({"id": key, "from": self.me, "method": method, "path": path,
                              "query": query, "body": body.decode("utf-8", "replace"),
                              "contentType": content_type})
        try:
            try:
                heard = self.blocking(self.redis.publish, self.requests, message)
            except self._redis_errors as exc:
                return [f"Redis did not take the request ({exc})"]
            expected = max(int(heard) - 1, 0)  # every subscriber counts, this shard too
            deadline = time.monotonic() + TIMEOUT
            while len(answers) < expected and time.monotonic() < deadline:
                event.wait(deadline - time.monotonic())
                event.clear()
        finally:
            self._pending.pop(key, None)
        problems = [f"shard {a['shard']} answered {a['status']}: {a['body']}"
                    for a in answers if not 200 <= a["status"] < 300]
        if expected < self.others:
            problems.append(f"{self.others - expected} of the {self.others} other shards are not "
                            f"listening on Redis")
        if len(answers) < expected:
            problems.append(f"{expected - len(answers)} of the {self.others} other shards did not "
                            f"answer within {TIMEOUT:g} s")
        return problems

    # --- every shard ---------------------------------------------------------------------------

    def _listen(self) -> None:
        while True:
            try:
                message = self.blocking(self.pubsub.get_message, timeout=5.0)
            except self._redis_errors as exc:  # redis-py resubscribes when it reconnects
                log.warning("Redis control channel: %s; retrying", exc)
                self.blocking(time.sleep, 1.0)
                continue
            if message is not None and message.get("type") == "message":
                try:
                    self._heard(message)
                except Exception:  # noqa: BLE001 - one bad message must not stop the listener
                    log.exception("bad message on the Redis control channel")

    def _heard(self, message: dict) -> None:
        """A request to replay, or an answer to one this shard is waiting for."""
        data = json.loads(message["data"])
        channel = message["channel"].decode()
        if channel == self.requests and data.get("from") != self.me:
            self.spawn(self._replay, data)
        elif channel == self.answers:
            pending = self._pending.get(data.get("id"))
            if pending is not None:
                pending[1].append(data)
                pending[0].set()

    def _replay(self, data: dict) -> None:
        """Run another shard's request here, through the whole app, and publish the answer."""
        try:
            response = self.app.test_client().open(
                data["path"], method=data["method"], query_string=data.get("query") or "",
                data=(data.get("body") or "").encode(), content_type=data.get("contentType"),
                environ_overrides={REPLAYED: True})
            status, text = response.status_code, response.get_data(as_text=True)[:BODY_CHARS]
        except Exception as exc:  # noqa: BLE001 - the asking shard must hear of any failure
            log.exception("replaying %s %s failed", data.get("method"), data.get("path"))
            status, text = 500, repr(exc)[:BODY_CHARS]
        answer = json.dumps({"id": data.get("id"), "shard": self.me, "status": status, "body": text})
        try:
            self.blocking(self.redis.publish, self.answers, answer)
        except self._redis_errors as exc:
            log.warning("could not answer %s over Redis: %s", data.get("path"), exc)


def everywhere(view):
    """A control route every shard must run: here first, then on the others (when sharded).
    Put it above `@locked`: the other shards are awaited without holding this one's lock."""
    @wraps(view)
    def wrapper(*args, **kwargs):
        response = current_app.make_response(view(*args, **kwargs))
        fanout: Fanout | None = current_app.extensions.get("sandbox.fanout")
        if fanout is None or request.environ.get(REPLAYED) or not 200 <= response.status_code < 300:
            return response
        problems = fanout.run_everywhere(request.method, request.path,
                                         request.query_string.decode("latin-1"),
                                         request.get_data(), request.content_type)
        if not problems:
            return response
        sb = current_app.extensions["sandbox"]
        return respond(envelope(f"Done on this shard, but not on every shard: {'; '.join(problems)}",
                                502, "BAD_GATEWAY", sb.clock.now()), 502)
    return wrapper
