"""Step 5 operations: A/B tests across bots (the config's `abTests`, the sandbox route) and
the scorecards and comparisons the dashboard and the reporting APIs read."""
from ..accounts import Account
from ..analytics import scorecard, timeseries
from ..analytics.abtest import ABTest, compare, parse_test
from ..analytics.records import ChatRecord
from ..errors import NotFound
from ..tree import SandboxTree


class AnalyticsOperations(SandboxTree):
    """A/B tests and the Step 5 numbers of an account."""

    def save_ab_test(self, account: Account, raw) -> ABTest:
        """Create or replace an A/B test (checked whole first: a refused one changes nothing)."""
        test = parse_test(raw, account, self.seed, self.clock.now())
        tests = self.ab_tests[account.id]
        old = tests.get(test.id)
        if old is not None and old.enabled and test.enabled:
            test.started = old.started  # a re-weighted test keeps the chats it split so far
        # One engagement is split by one enabled test at a time: the newest enabled one wins.
        if test.enabled:
            for other in tests.values():
                if other.id != test.id and other.engagement_id == test.engagement_id:
                    other.enabled = False
        tests[test.id] = test
        self.publish("abtest.saved", account.id, testId=test.id, enabled=test.enabled)
        return test

    def delete_ab_test(self, account: Account, test_id: str) -> None:
        """Remove an A/B test: new chats on its engagement go to the engagement's own skill."""
        if self.ab_tests[account.id].pop(test_id, None) is None:
            raise NotFound(f"A/B test '{test_id}' was not found in account {account.id}", 1)
        self.publish("abtest.deleted", account.id, testId=test_id)

    def ab_test(self, account: Account, test_id: str) -> ABTest:
        """One A/B test, or NotFound."""
        test = self.ab_tests[account.id].get(test_id)
        if test is None:
            raise NotFound(f"A/B test '{test_id}' was not found in account {account.id}", 1)
        return test

    def ab_results(self, account: Account, test_id: str, since: float | None = None,
                   until: float | None = None) -> dict:
        """The test's variants compared over the chats it split in [since, until]."""
        test = self.ab_test(account, test_id)
        records = self.analytics.of_account(account.id, since, until)
        names = {s.id: s.name for s in account.skills.values()}
        return compare(test, records, names)

    def scorecards(self, account: Account, by: str, since: float | None = None,
                   until: float | None = None) -> list[scorecard.Scorecard]:
        """The Step 5 numbers per bot (first agent), per skill or per A/B variant."""
        records = self.analytics.of_account(account.id, since, until)
        cards = []
        for key, group in scorecard.group(records, by).items():
            if by == scorecard.BY_BOT:
                user = account.users.get(key)
                label = user.agent_name if user else key
                kind = user.user_type if user else "bot"
            elif by == scorecard.BY_SKILL:
                label, kind = account.skill_name(key) or key, "skill"
            else:
                label, kind = key, "variant"
            cards.append(scorecard.score(key, label, kind, group))
        return sorted(cards, key=lambda c: (-c.chats, c.label))

    # --- for the /_sandbox/analytics routes and the dashboard (control/analytics.py) ---------------

    def analytics_total(self, account: Account, since: float | None = None,
                        until: float | None = None) -> scorecard.Scorecard:
        """The Step 5 numbers of all the account's chats requested in [since, until]."""
        records = self.analytics.of_account(account.id, since, until)
        return scorecard.score("all", "All chats", "total", records)

    def analytics_timeseries(self, account: Account, by: str, since: float, until: float,
                             bucket: int) -> dict:
        """Per-bucket counts and scores of each group (as `scorecards` groups them) and of all."""
        records = self.analytics.of_account(account.id, since, until)
        starts = timeseries.bucket_starts(since, until, bucket)
        columns = timeseries.series(records, by, starts, bucket)
        groups = [{"key": c.key, "label": c.label, "kind": c.kind, **columns[c.key]}
                  for c in self.scorecards(account, by, since, until)]
        return {"bucket": bucket, "starts": starts, "total": columns[""], "series": groups}

    def chat_records(self, account: Account, since: float | None = None,
                     until: float | None = None) -> list[ChatRecord]:
        """The account's chat records (analytics/records.py) requested in [since, until]."""
        return self.analytics.of_account(account.id, since, until)
