"""The browser side: the home page, the consumer page, the agent workspace, the dashboard, static
files and the front-end libraries installed from npm (served from node_modules: no CDN, no network)."""
from html import escape
from pathlib import Path

from flask import Blueprint, Response, abort, current_app, send_from_directory

from .api.common import locked, root_url, sandbox
from .shard_app import elsewhere
from .vendor import VENDOR, vendor_path  # /vendor/<name> -> an npm package's file

STATIC = Path(__file__).resolve().parent / "static"
# The pages load only their own scripts, styles and pictures; text from chats can never run.
PAGE_CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            "connect-src 'self'; font-src 'self'; object-src 'none'; base-uri 'none'; "
            "form-action 'self'; frame-ancestors 'none'")
# Responses a browser renders as a document (and so could run script in): every one of them,
# whichever view made it (the pages, their files under /static, /docs, ...), gets these headers.
DOCUMENT_TYPES = {"text/html", "application/xhtml+xml", "image/svg+xml"}
PAGE_HEADERS = {"Content-Security-Policy": PAGE_CSP, "X-Content-Type-Options": "nosniff",
                "Referrer-Policy": "no-referrer"}

bp = Blueprint("pages", __name__)


@bp.after_app_request
def security_headers(response: Response) -> Response:
    """Every response of the app: `nosniff`; every document: the pages' CSP and referrer
    policy too, set here in one place so no view can forget them."""
    headers = response.headers
    # The mimetype as Response.mimetype gives it, without parsing the options on every answer.
    mimetype = headers.get("Content-Type", "").partition(";")[0].strip().lower()
    if mimetype in DOCUMENT_TYPES:
        headers.update(PAGE_HEADERS)
    elif "X-Content-Type-Options" in headers:
        headers["X-Content-Type-Options"] = "nosniff"
    else:  # the API's answers: append, no scan for one to replace
        headers.add("X-Content-Type-Options", "nosniff")
    return response


@bp.get("/static/<path:filename>")
def static_file(filename):
    """Files of static/ (pages, scripts, pictures)."""
    return send_from_directory(STATIC, filename)


@bp.get("/vendor/<path:name>")
def vendor_file(name):
    """A front-end library from node_modules (`npm ci` installs them; ./dev does it)."""
    if name not in VENDOR:
        abort(404)
    path = vendor_path(VENDOR[name])
    if not path.is_file():
        abort(404)
    return send_from_directory(path.parent, path.name)


def _page(name: str) -> Response:
    return send_from_directory(STATIC, name)  # security_headers adds the CSP


@bp.get("/consumer")
def consumer_page():
    """The customer's chat window: choose an engagement, chat, end, answer the exit survey."""
    return _page("consumer.html")


@bp.get("/workspace")
def workspace_page():
    """The agent workspace: agents, queues, every conversation live; log in and take chats."""
    return _page("workspace.html")


@bp.get("/dashboard")
def dashboard_page():
    """Step 5: the bots' numbers (MCS, CSAT, resolution, transfers and why), A/B tests, live."""
    return _page("dashboard.html")


@bp.get("/favicon.ico")
def favicon():
    """Browsers ask for /favicon.ico whatever a page links: the pages' own icon (SVG)."""
    return send_from_directory(STATIC / "img", "favicon.svg", mimetype="image/svg+xml")


def _role(user) -> str:
    """What a user is, in words; an administrator who takes no chats is not called an agent."""
    if user.user_type == "bot":
        return "Bot"
    if user.is_admin:
        return "Administrator (takes no chats)" if user.max_chats == 0 else "Administrator, human agent"
    return "Human agent" if user.max_chats != 0 else "Human (takes no chats)"


def _chat_limit(user) -> str:
    """maxChats in words (-1 is unlimited, 0 none)."""
    if user.max_chats == 0:
        return "none"
    return "unlimited" if user.max_chats < 0 else f"up to {user.max_chats}"


@bp.get("/")
@locked
def home():
    """What runs here: the accounts, their users and engagements, and the API URLs."""
    sb, root = sandbox(), root_url()
    rows = []
    for account in sb.accounts.values():
        users = "".join(
            f'<tr><td data-label="Login name"><code>{escape(u.login_name)}</code></td>'
            f'<td data-label="Nickname">{escape(u.agent_name)}</td>'
            f'<td data-label="Password"><code>{escape(u.password or "(app key)")}</code></td>'
            f'<td data-label="Role">{escape(_role(u))}</td>'
            f'<td data-label="Skills">'
            f'{escape(", ".join(account.skills[s].name for s in u.skill_ids) or "none")}</td>'
            f'<td data-label="Chats at once">{escape(_chat_limit(u))}</td></tr>'
            for u in account.users.values())
        engagements = "".join(
            f"<li>{escape(e.name)} (engagement {escape(e.id)}, skill "
            f"{escape(account.skills[e.skill_id].name if e.skill_id else 'any')})</li>"
            for e in account.engagements.values())
        rows.append(
            f"<section><h2>Account {escape(account.id)} &middot; {escape(account.name)}</h2>"
            f'<table class="users"><thead><tr><th scope="col">Login name</th>'
            f'<th scope="col">Nickname</th><th scope="col">Password</th><th scope="col">Role</th>'
            f'<th scope="col">Skills</th><th scope="col">Chats at once</th></tr></thead>'
            f"<tbody>{users}</tbody></table>"
            f"<ul>{engagements}</ul>"
            f"<p>Domain API: <code>{escape(root)}/csdr/account/{escape(account.id)}/service/"
            f"baseURI.json?version=1.0</code></p></section>")
    scheme, host = root.split("://", 1)
    others = elsewhere(current_app, host)
    if others:  # a shard: the other accounts, each on the shard that serves it
        items = "".join(
            f'<li>Account <code>{escape(a)}</code>: shard {i}, '
            f'<a href="{escape(scheme)}://{escape(where)}/">{escape(scheme)}://{escape(where)}/</a></li>'
            for a, i, where in others)
        rows.append(f"<section><h2>Accounts on other shards</h2><ul>{items}</ul>"
                    f"<p>Any shard's Domain API names the shard of every account.</p></section>")
        serves = "the Domain API of any shard names, for every account, the shard that serves it"
    else:
        serves = "every service of every account resolves to this server"
    page = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Conversational Cloud sandbox</title>
<link rel="icon" href="/static/img/favicon.svg" type="image/svg+xml">
<link rel="stylesheet" href="/static/home.css"></head>
<body><main><h1>Conversational Cloud sandbox</h1>
<p>A local mock of LivePerson Conversational Cloud (live chat). Point a bot's CSDS domain at
<code>{escape(root)}</code>: {serves}.</p>
<nav class="pages"><a class="page-link" href="/consumer"><strong>Consumer page</strong>
<span>Chat as a customer: pick an engagement, talk to the bot, end the chat, rate it.</span></a>
<a class="page-link" href="/workspace"><strong>Agent workspace</strong>
<span>Watch every conversation live, log in as a human agent, take escalated chats.</span></a>
<a class="page-link" href="/dashboard"><strong>Bot dashboard</strong>
<span>Monitor your bots: MCS, CSAT, resolution, transfers and why, A/B tests, live.</span></a>
<a class="page-link" href="/docs"><strong>API reference</strong>
<span>Every endpoint this server answers (OpenAPI 3.1), to read and to try.</span></a></nav>
{''.join(rows)}</main></body></html>"""
    return Response(page, content_type="text/html; charset=utf-8")
