"""A shard's app: the shard map where the Domain API and the pages read it, page redirects to
the owning shard, and the Redis control channel (fanout.py)."""
from flask import Flask, redirect, request

from .shards import ShardMap

# Pages that show one account (`?account=`): asked for an account of another shard, the
# browser is sent there, as CSDS sends an API client.
ACCOUNT_PAGES = frozenset({"pages.consumer_page", "pages.workspace_page", "pages.dashboard_page"})


def init_shards(app: Flask, shard_map: ShardMap, redis_url: str | None) -> None:
    """Make `app` shard `shard_map.me` of the map (call before it serves)."""
    app.extensions["sandbox.shards"] = shard_map
    # Blueprint-scoped: the hook runs for the pages only, not on every API call.
    app.before_request_funcs.setdefault("pages", []).append(_to_owner)
    if redis_url:
        from .fanout import Fanout
        socketio = app.extensions["sandbox.socketio"]
        app.extensions["sandbox.fanout"] = Fanout(
            app, redis_url, shard_map, socketio.server.eio.create_event,
            socketio.start_background_task, _blocking_call(socketio.async_mode))


def _to_owner():
    """302 to the same page on the shard owning `?account=`, when another shard owns it."""
    if request.endpoint not in ACCOUNT_PAGES:
        return None
    from flask import current_app
    shard_map: ShardMap = current_app.extensions["sandbox.shards"]
    owner = shard_map.owner(request.args.get("account", ""))
    if owner is None or owner.index == shard_map.me:
        return None
    query = request.query_string.decode("latin-1")
    return redirect(f"{request.scheme}://{owner.authority(request.host)}{request.path}?{query}", 302)


def elsewhere(app: Flask, request_host: str) -> list[tuple[str, int, str]]:
    """(account, shard index, `host:port`) of every account another shard owns (the home page
    lists them); empty when the sandbox is one process."""
    shard_map: ShardMap | None = app.extensions.get("sandbox.shards")
    if shard_map is None:
        return []
    out = []
    for account in shard_map.accounts:
        owner = shard_map.owner(account)
        if owner is not None and owner.index != shard_map.me:
            out.append((account, owner.index, owner.authority(request_host)))
    return out


def _blocking_call(async_mode: str):
    """How to make a blocking call (redis-py's sockets) without stalling the server: on
    gevent's thread pool under gevent (the CLI patches nothing), directly on threads."""
    if async_mode == "gevent":
        import gevent

        def on_pool(fn, *args, **kwargs):
            return gevent.get_hub().threadpool.apply(fn, args, kwargs)
        return on_pool
    return lambda fn, *args, **kwargs: fn(*args, **kwargs)
