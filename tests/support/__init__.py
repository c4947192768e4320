"""What the tests share, in one place (no test module imports another):

- constants.py  the demo config's values (account, users, keys, skills, engagements, apps)
- paths.py      folders of the repository the tests read or write
- server.py     a sandbox served over real HTTP in-process, the real CLI in a subprocess, and stub
                HTTP servers for what is not the sandbox
- wire.py       LivePerson's APIs over HTTP: headers, login, agent sessions, chats, events
- waiting.py    the one wait-until-with-a-deadline loop
- live_view.py  a Socket.IO client of the live view (what the pages receive)
- sim.py        the simulator in tests: a quiet reporter, the demo rules bot, a human agent
- browser.py    Playwright on Debian's Chromium: pages, screenshots, the workspace login

Fixtures (live, http, browser, pages, demo_bot) are in tests/conftest.py.
"""
