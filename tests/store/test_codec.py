"""Rows refer to shared objects instead of copying them, and old rows gain today's fields."""
from mock_server.app import create_app
from mock_server.model.chats import Chat
from mock_server.model.seed import load_config
from mock_server.store import codec


def test_a_chat_row_names_its_agent_and_reads_back_the_accounts_own_user(tmp_path):
    app = create_app(seed=1, data_dir=str(tmp_path))
    sb = app.extensions["sandbox"]
    store = sb.store
    user = next(u for a in sb.accounts.values() for u in a.users.values())
    chat = Chat(id="c1", visit_id="v", account_id="12345678", skill_id=None, engagement_id=None,
                campaign_id=None, visitor=None, rt_session_id="1", created=0.0, agent=user)
    body = codec.dumps(chat, store.refs)
    assert user.login_name.encode() not in body  # a reference, not a copy
    assert codec.loads(body, store.refs).agent is user


def test_a_stored_object_missing_a_field_added_since_gets_its_default():
    chat = Chat(id="c1", visit_id="v", account_id="1", skill_id=None, engagement_id=None,
                campaign_id=None, visitor=None, rt_session_id="1", created=0.0)
    del chat.__dict__["variant"], chat.__dict__["transfers"]  # as written before they existed
    back = codec.loads(codec.dumps(chat, None), None)
    assert back.variant is None and back.transfers == []


def test_the_config_file_can_name_the_data_dir(tmp_path):
    config = load_config()
    config["store"] = {"dir": str(tmp_path / "from-config")}
    app = create_app(config, seed=1)
    assert app.extensions["sandbox"].store is not None
    assert (tmp_path / "from-config" / "sandbox.sqlite3").exists()
