"""The browser side: the home page with the sandbox's URLs and demo credentials, static files."""
from html import escape
from pathlib import Path

from flask import Blueprint, Response, send_from_directory

from .api.common import locked, root_url, sandbox

STATIC = Path(__file__).resolve().parent.parent / "static"
bp = Blueprint("pages", __name__)


@bp.get("/static/<path:filename>")
def static_file(filename):
    """Files of static/ (pages, scripts, pictures)."""
    return send_from_directory(STATIC, filename)


@bp.get("/")
@locked
def home():
    """What runs here: the accounts, their users and engagements, and the API URLs."""
    sb, root = sandbox(), root_url()
    rows = []
    for account in sb.accounts.values():
        users = "".join(
            f"<tr><td>{escape(u.login_name)}</td><td>{escape(u.password or '(app key)')}</td>"
            f"<td>{escape(u.user_type)}{' admin' if u.is_admin else ''}</td>"
            f"<td>{escape(', '.join(account.skills[s].name for s in u.skill_ids))}</td>"
            f"<td>{u.max_chats}</td></tr>" for u in account.users.values())
        engagements = "".join(
            f"<li>{escape(e.name)} (engagement {escape(e.id)}, skill "
            f"{escape(account.skills[e.skill_id].name if e.skill_id else 'any')})</li>"
            for e in account.engagements.values())
        rows.append(
            f"<section><h2>Account {escape(account.id)} &middot; {escape(account.name)}</h2>"
            f"<table><thead><tr><th>Login name</th><th>Password</th><th>Type</th><th>Skills</th>"
            f"<th>maxChats</th></tr></thead><tbody>{users}</tbody></table>"
            f"<ul>{engagements}</ul>"
            f"<p>Domain API: <code>{escape(root)}/csdr/account/{escape(account.id)}/service/"
            f"baseURI.json?version=1.0</code></p></section>")
    page = f"""<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>Conversational Cloud sandbox</title><link rel="stylesheet" href="/static/home.css"></head>
<body><main><h1>Conversational Cloud sandbox</h1>
<p>A local mock of LivePerson Conversational Cloud (live chat). Point a bot's CSDS domain at
<code>{escape(root)}</code>: every service of every account resolves to this server.</p>
{''.join(rows)}</main></body></html>"""
    return Response(page, content_type="text/html; charset=utf-8")
