"""What `python -m simulator load` shows: a progress bar while it runs, summary tables after."""
from contextlib import contextmanager

from rich import box
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from .load import LoadReport, Outcome, percentile

SHOWN_ERRORS = 10  # errors listed under the table (all are counted in it)


@contextmanager
def progress_bar(total: int, console: Console | None = None):
    """A rich progress bar of finished chats; yields the `on_change(outcome)` to call."""
    bar = Progress(TextColumn("[bold]load"), BarColumn(), MofNCompleteColumn(),
                   TextColumn("{task.fields[running]} running, {task.fields[errors]} errors"),
                   TimeElapsedColumn(), console=console or Console(stderr=True))
    task = bar.add_task("chats", total=total, running=0, errors=0)
    seen: dict[int, str] = {}

    def on_change(outcome: Outcome) -> None:
        seen[outcome.customer.index] = outcome.status
        statuses = list(seen.values())
        bar.update(task, completed=sum(s not in ("running", "not started") for s in statuses),
                   running=statuses.count("running"), errors=statuses.count("error"))

    with bar:
        yield on_change


def _seconds(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f}s"


def _answers(outcomes: list[Outcome]) -> list[float]:
    return [o.first_answer for o in outcomes if o.first_answer is not None]


def _unfinished(outcome: Outcome) -> bool:
    return outcome.status in ("unfinished", "running", "not started")


def totals_table(report: LoadReport) -> Table:
    """The whole run: started, ended, transferred, surveys, errors, unfinished, elapsed,
    chats/s, and the first answer's p50/p95."""
    outcomes = report.outcomes
    script = outcomes[0].customer.script if outcomes else None
    target = "-" if script is None else f"skill {script.skill}" if script.skill else \
        f"engagement {script.engagement}"
    ended = sum(o.ended for o in outcomes)
    answers = _answers(outcomes)
    table = Table(title=f"Load: {len(outcomes)} chats to {target}, seed {report.options.seed}",
                  show_header=False, box=box.SIMPLE, title_justify="left", min_width=70)
    table.add_column("what")
    table.add_column("value", justify="right")
    rows = [("started", f"{sum(o.started for o in outcomes)}/{len(outcomes)}"), ("ended", ended),
            ("transferred", sum(o.transferred for o in outcomes)),
            ("surveys answered", sum(o.surveyed for o in outcomes)),
            ("errors", report.count("error")), ("unfinished", sum(map(_unfinished, outcomes))),
            ("elapsed", f"{report.elapsed:.1f}s"),
            ("chats/s (ended)", f"{ended / report.elapsed if report.elapsed else 0:.2f}"),
            ("first answer p50", _seconds(percentile(answers, 0.5))),
            ("first answer p95", _seconds(percentile(answers, 0.95)))]
    for what, value in rows:
        table.add_row(what, str(value))
    table.caption = "first answer: from a customer's first line to the next agent line"
    return table


def intents_table(report: LoadReport) -> Table:
    """One row per intent drawn: chats, ended, transferred, surveys, errors, unfinished, and
    the first answer's p50/p95."""
    table = Table(title="By intent", box=box.SIMPLE_HEAD, title_justify="left", show_edge=False,
                  pad_edge=False, collapse_padding=True)
    table.add_column("intent", no_wrap=True, min_width=10)
    for column in ("chats", "ended", "transferred", "surveys", "errors", "unfinished", "p50", "p95"):
        table.add_column(column, justify="right")
    for intent in dict.fromkeys(o.customer.intent for o in report.outcomes):
        outcomes = [o for o in report.outcomes if o.customer.intent == intent]
        answers = _answers(outcomes)
        table.add_row(intent, *map(str, (len(outcomes), sum(o.ended for o in outcomes),
                                         sum(o.transferred for o in outcomes),
                                         sum(o.surveyed for o in outcomes),
                                         sum(o.status == "error" for o in outcomes),
                                         sum(map(_unfinished, outcomes)))),
                      _seconds(percentile(answers, 0.5)), _seconds(percentile(answers, 0.95)))
    return table


def print_summary(report: LoadReport, console: Console | None = None) -> None:
    """The table, then each error (the first SHOWN_ERRORS) and what was left unfinished."""
    console = console or Console()
    console.print(totals_table(report))
    console.print(intents_table(report))
    errors = [x for x in report.outcomes if x.status == "error"]
    for outcome in errors[:SHOWN_ERRORS]:
        chat = outcome.result.chat_id if outcome.result else None
        console.print(f"error: chat {chat or '-'} ({outcome.customer.script.name}): {outcome.error}",
                      markup=False, highlight=False)
    if len(errors) > SHOWN_ERRORS:
        console.print(f"... and {len(errors) - SHOWN_ERRORS} more errors", highlight=False)
    left = [x for x in report.outcomes if _unfinished(x)]
    if left:
        not_started = sum(x.status == "not started" for x in left)
        console.print(f"unfinished (the {report.options.timeout:g}s timeout or a stop came first): {len(left)} "
                      f"({not_started} not started, {len(left) - not_started} stopped while running)",
                      highlight=False)
    verdict = "PASS" if report.ok else "FAIL"
    console.print(f"load: {verdict} ({report.count('ok')}/{len(report.outcomes)} chats ran to their end)",
                  highlight=False)
