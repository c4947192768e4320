"""The plugin as a bot team uses it: small test files run by pytester against the installed
entry point (fixtures, scopes, the marker, the options, https, xdist)."""
import subprocess
import sys
import textwrap

import pytest

CONFIG = """\
accounts:
  - id: "55555555"
    name: Team Account
    skills:
      - {id: "77", name: team-bot}
    users:
      - {id: "1", loginName: demo-bot, password: team-pass, userType: bot, nickname: Team Bot,
         maxChats: 2, skills: [team-bot]}
"""


def test_a_bot_answers_the_customer(suite):
    suite.makepyfile(test_bot="""
        def test_bot_echoes(cc_sandbox, bot):
            customer = cc_sandbox.customer(skill="support-bot")
            customer.say("hello there")
            line = customer.wait_for_line("You said: hello there")
            assert (line.source, line.by) == ("agent", "Demo Bot")
            customer.say("and again")
            assert customer.wait_for_line("You said").plain == "You said: and again"
            assert [l.text for l in customer.transcript if l.source == "visitor"] == ["hello there", "and again"]
            customer.end()
            assert customer.wait_for_state("ended") == "ended"
    """)
    suite.runpytest().assert_outcomes(passed=1)


def test_the_bot_hands_off_to_the_human_agent(suite):
    suite.makepyfile(test_handoff="""
        def test_handoff(cc_sandbox, bot):
            alex = cc_sandbox.human_agent()
            customer = cc_sandbox.customer(skill="support-bot")
            customer.say("agent please")
            transfer = cc_sandbox.wait("transfer", chat=customer.chat_id, skill="support-human")
            assert transfer["skill_name"] == "support-human"
            chat = alex.accept()
            assert chat.chat_id == customer.chat_id
            assert chat.wait_for_line("agent").text == "agent please"
            chat.say("Alex here, how can I help?")
            assert customer.wait_for_line("Alex here").by == "Alex"
            chat.end()
            customer.wait_for_state("ended")
    """)
    suite.runpytest().assert_outcomes(passed=1)


def test_a_failed_wait_fails_the_test_with_what_was_seen(suite):
    suite.makepyfile(test_silent="""
        def test_nobody_answers(cc_sandbox):
            cc_sandbox.customer(skill="support-bot").wait_for_line("hello", timeout=0.2)
    """)
    result = suite.runpytest()
    result.assert_outcomes(failed=1)
    result.stdout.fnmatch_lines(["*WaitTimeout*No line matched within 0.2 s*'state': 'waiting'*"])


def test_function_scope_gives_each_test_its_own_sandbox(suite):
    suite.makepyfile(test_fresh="""
        import pytest, requests
        seen = []

        @pytest.mark.parametrize("n", [1, 2])
        def test_each(cc_sandbox, n):
            if seen:  # the sandbox of the test before is stopped
                with pytest.raises(requests.ConnectionError):
                    requests.get(seen[-1] + "/_sandbox/health", timeout=2)
            assert cc_sandbox.url not in seen
            assert cc_sandbox.state()["accounts"][0]["chats"] == []
            cc_sandbox.customer(skill="support-bot")
            seen.append(cc_sandbox.url)
    """)
    suite.runpytest().assert_outcomes(passed=2)


SESSION_TESTS = """
    seen = {}

    def test_first(cc_sandbox, session_bot):
        seen["url"] = cc_sandbox.url
        customer = cc_sandbox.customer(skill="support-bot")
        seen["chat"] = customer.chat_id
        customer.say("hi")
        customer.wait_for_line("You said: hi")
        cc_sandbox.seed(99)
        cc_sandbox.faults.error(api="monitoring")  # after the seed, which would drop it anyway
        cc_sandbox.unfreeze()

    def test_second(cc_sandbox, session_bot):
        assert cc_sandbox.url == seen["url"]  # the same server...
        assert cc_sandbox.clock()["frozen"] is True  # ...as it started: clock frozen again,
        assert cc_sandbox.faults.list() == []  # no faults, an empty journal but this test's bot,
        assert cc_sandbox.journal.count(api="server_chat") == 0
        # This test's own seed (the same in every run), not test_first's 99: the session bot
        # never meets a chat id it saw in an earlier test.
        from mock_server.testing.plugin import seed_for_test
        assert cc_sandbox.state()["seed"] == seed_for_test(1234, "test_session.py::test_second")
        customer = cc_sandbox.customer(skill="support-bot")
        assert customer.chat_id != seen["chat"]
        customer.say("again")
        assert customer.wait_for_line("You said").plain == "You said: again"
"""


def test_session_scope_option_shares_one_sandbox_reset_between_tests(suite):
    suite.makepyfile(test_session=SESSION_TESTS + """
    def test_it_is_the_session_sandbox(cc_sandbox, cc_sandbox_session):
        assert cc_sandbox is cc_sandbox_session and cc_sandbox.url == seen["url"]
    """)
    suite.runpytest("--cc-sandbox-scope", "session").assert_outcomes(passed=3)


def test_cc_sandbox_session_is_reset_before_each_test(suite):
    suite.makepyfile(test_session=SESSION_TESTS.replace("cc_sandbox,", "cc_sandbox_session,")
                     .replace("cc_sandbox.", "cc_sandbox_session."))
    suite.runpytest().assert_outcomes(passed=2)


def test_without_the_session_option_cc_sandbox_is_not_the_session_one(suite):
    suite.makepyfile(test_two="""
        def test_both(cc_sandbox, cc_sandbox_session):
            assert cc_sandbox is not cc_sandbox_session and cc_sandbox.url != cc_sandbox_session.url
    """)
    suite.runpytest().assert_outcomes(passed=1)


def test_the_marker_sets_config_seed_and_tls(suite):
    suite.makefile(".yaml", team=CONFIG)
    suite.makepyfile(test_marked="""
        import pytest, requests
        ids = {}

        @pytest.mark.cc_sandbox(config="team.yaml")
        def test_config(cc_sandbox):
            assert cc_sandbox.account == "55555555"
            assert [a["id"] for a in cc_sandbox.state()["accounts"]] == ["55555555"]
            agent = cc_sandbox.human_agent(login="demo-bot")  # with the config's password
            customer = cc_sandbox.customer(skill="team-bot")
            assert agent.accept().chat_id == customer.chat_id

        @pytest.mark.cc_sandbox(seed=99)
        def test_seed(cc_sandbox):
            ids["marked"] = cc_sandbox.customer(skill="support-bot").chat_id
            assert cc_sandbox.state()["seed"] == 99

        def test_same_seed_same_ids(cc_sandbox):
            cc_sandbox.seed(99)
            assert cc_sandbox.customer(skill="support-bot").chat_id == ids["marked"]

        @pytest.mark.cc_sandbox(tls=True)
        def test_tls(cc_sandbox, bot):
            assert cc_sandbox.url.startswith("https://127.0.0.1:")
            assert requests.get(cc_sandbox.url + "/_sandbox/health", verify=str(cc_sandbox.ca)).ok
            with pytest.raises(requests.exceptions.SSLError):
                requests.get(cc_sandbox.url + "/_sandbox/health")  # not a publicly trusted CA
            customer = cc_sandbox.customer(skill="support-bot")
            customer.say("over tls")
            assert customer.wait_for_line("You said").plain == "You said: over tls"
    """)
    suite.runpytest().assert_outcomes(passed=4)


def test_a_class_marker_combines_with_a_method_marker(suite):
    suite.makefile(".yaml", team=CONFIG)
    suite.makepyfile(test_class="""
        import pytest

        @pytest.mark.cc_sandbox(config="team.yaml", seed=5)
        class TestTeam:
            @pytest.mark.cc_sandbox(seed=6)
            def test_closest_wins(self, cc_sandbox):
                state = cc_sandbox.state()
                assert (cc_sandbox.account, state["seed"]) == ("55555555", 6)
    """)
    suite.runpytest().assert_outcomes(passed=1)


def test_the_config_option(suite):
    suite.makefile(".yaml", team=CONFIG)
    suite.makepyfile(test_option="""
        def test_option(cc_sandbox, cc_sandbox_session):
            assert cc_sandbox.account == cc_sandbox_session.account == "55555555"
    """)
    suite.runpytest("--cc-sandbox-config", "team.yaml").assert_outcomes(passed=1)
    result = suite.runpytest("--cc-sandbox-config", "missing.yaml")
    assert result.ret == pytest.ExitCode.USAGE_ERROR
    result.stderr.fnmatch_lines(["*--cc-sandbox-config: cc_sandbox config missing.yaml not found*"])


def test_marker_misuse_is_reported(suite):
    suite.makepyfile(test_misuse="""
        import pytest

        @pytest.mark.cc_sandbox(tsl=True)
        def test_typo(cc_sandbox):
            pass

        @pytest.mark.cc_sandbox(seed=3)
        def test_marker_on_the_session_sandbox(cc_sandbox_session):
            pass
    """)
    result = suite.runpytest()
    result.assert_outcomes(errors=2)
    result.stdout.fnmatch_lines(["*takes only the keywords config, tls, seed (got tsl)*",
                                 "*sets up the cc_sandbox fixture; cc_sandbox_session is the session's*"])


def test_parallel_under_xdist(suite):
    suite.makepyfile(test_parallel="""
        import os
        import pytest

        @pytest.mark.parametrize("n", range(4))
        def test_chat(cc_sandbox, bot, n):
            customer = cc_sandbox.customer(skill="support-bot")
            customer.say(f"number {n}")
            assert customer.wait_for_line("You said").plain == f"You said: number {n}"
            print("WORKER", os.environ["PYTEST_XDIST_WORKER"], cc_sandbox.url)
    """)
    # The workers start a Python each: leave out this venv's heavy plugins the test needs not.
    result = suite.runpytest("-n", "2", "-rA", "-p", "no:hypothesispytest", "-p", "no:schemathesis")
    result.assert_outcomes(passed=4)
    result.stdout.fnmatch_lines(["*created: 2/2 workers*"])
    ran = [line.split() for line in result.outlines if line.startswith("WORKER")]
    assert len(ran) == 4 and {worker for _, worker, _ in ran} <= {"gw0", "gw1"}
    assert len({url for _, _, url in ran}) == 4  # a sandbox (an ephemeral port) per test


def test_registered_and_cheap_to_import(suite):
    result = suite.runpytest("--markers")
    result.stdout.fnmatch_lines(["@pytest.mark.cc_sandbox(config=FILE, tls=False, seed=1234)*"])
    result = suite.runpytest("--help")
    result.stdout.fnmatch_lines(["*--cc-sandbox-config=FILE*", "*--cc-sandbox-scope=*"])
    # Every pytest run where the package is installed imports the plugin: no Flask, no requests.
    code = textwrap.dedent("""
        import sys
        import mock_server.testing.plugin
        heavy = [m for m in ("flask", "requests", "werkzeug", "mock_server.app") if m in sys.modules]
        assert not heavy, heavy
    """)
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


def test_yaml_customer_scripts_are_collected_as_tests(suite):
    suite.makeconftest(suite.path.joinpath("conftest.py").read_text()
                       + "\ncc_bot = bot  # the fixture scripts.py starts the bot under test with\n")
    suite.makefile(".yaml", test_faq="""
        skill: support-bot
        scripts:
          - name: echoes
            steps: [{say: hi, expect: {contains: "You said: hi"}}]
          - name: expects what the bot never says
            steps: [{say: hi, expect: {contains: "Goodbye", within: 0.5}}]
    """)
    suite.makefile(".yaml", team=CONFIG)  # not test_*: a data file, not collected
    result = suite.runpytest("-v")
    result.assert_outcomes(passed=1, failed=1)
    result.stdout.fnmatch_lines(["*echoes PASSED*", "*expects what the bot never says FAILED*",
                                 "*step 1 failed*containing 'Goodbye'*got 'You said: hi'*"])
