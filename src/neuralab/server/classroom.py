"""What the teacher's class view shows: who is here and who has done which task, in memory.

Every open page reports itself now and then under a random per-tab id (no cookie, no name):
:class:`Classroom` counts the tabs heard from in the last :attr:`Classroom.PRESENT` seconds
as connected, and for each task the tabs that reported it done. A task is counted only when
the server's own check passes (:func:`neuralab.labs.tasks.check`): for the neuron it
recomputes the truth table from the reported weights, for the comparison it reads the
accuracy and weight count of the comparison it trained with the reported settings. Reports
are rate-limited per tab and for the whole class; at most :attr:`Classroom.MAX_TABS` tabs are
remembered (the longest silent forgotten first). Nothing is written to disk, and all of it
goes with the server.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from neuralab.labs import neuron
from neuralab.labs.tasks import BY_ID, TASKS, BadFacts, Progress, Task, check, place
from neuralab.params import ParamError
from neuralab.server.learners import Comparisons
from neuralab.server.protocol import RateLimit


class TooFast(Exception):
    """A tab (or the whole class) reports faster than the limit."""

    def __init__(self, retry_after: float) -> None:
        self.retry_after = retry_after
        super().__init__(f"too many reports; try again in {retry_after:.1f} s")


class NotTrained(Exception):
    """A comparison task's settings name no comparison the server has in memory."""


class Classroom:
    """Tabs present, tasks done, in memory only."""

    PRESENT = 45.0  # seconds a tab counts as connected after its last report
    MAX_TABS = 2000
    TAB_RATE, TAB_BURST = 1.0, 8  # reports per second per tab
    CLASS_RATE, CLASS_BURST = 100.0, 300  # for all tabs together

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._tabs: OrderedDict[str, tuple[float, RateLimit]] = OrderedDict()
        self._done: dict[str, set[str]] = {t.id: set() for t in TASKS}
        self._all = RateLimit(self.CLASS_RATE, self.CLASS_BURST, clock)

    def _admit(self, tab: str) -> None:
        """Count a report from ``tab`` (raises :class:`TooFast` over the limit)."""
        limit = self._tabs[tab][1] if tab in self._tabs else RateLimit(
            self.TAB_RATE, self.TAB_BURST, self.clock)
        if not limit.take():
            raise TooFast(limit.wait())
        if not self._all.take():
            raise TooFast(self._all.wait())
        self._tabs[tab] = (self.clock(), limit)
        self._tabs.move_to_end(tab)
        while len(self._tabs) > self.MAX_TABS:
            gone, _ = self._tabs.popitem(last=False)
            for tabs in self._done.values():
                tabs.discard(gone)

    def report(self, tab: str, task_id: str | None, facts: dict[str, Any] | None,
               kept: Comparisons) -> Progress | None:
        """``tab`` is here; with a task, check ``facts`` against it and count it if done.

        Raises :class:`TooFast`, :class:`~neuralab.params.ParamError` (bad facts) or
        :class:`NotTrained`.
        """
        self._admit(tab)
        if task_id is None:
            return None
        task = BY_ID[task_id]
        try:
            progress = check(task, self._verified(task, facts or {}, kept))
        except BadFacts as exc:
            raise ParamError(f"facts.{exc.param}", exc.expected,
                             message=f"facts.{exc.param} must be {exc.expected}") from None
        if progress.done:
            self._done[task.id].add(tab)
        return progress

    @staticmethod
    def _verified(task: Task, facts: dict[str, Any], kept: Comparisons) -> dict[str, Any]:
        """The facts as the server computes them, where it can."""
        if task.kind not in ("truth_table", "compare"):
            return facts
        settings = facts.get("settings")
        if not isinstance(settings, dict):
            raise BadFacts("settings", f"the {task.section} section's settings, as an object")
        if task.kind == "truth_table":
            result = neuron.evaluate(**settings)  # ParamError for a bad setting
            return {"outputs": [int(row.actual) for row in result.table],
                    "hidden": bool(result.network)}
        found = kept.comparison(settings, "ui")
        if found is None or "mlp" not in found.models:
            raise NotTrained("no comparison with these settings is in memory; train it first")
        mlp = found.models["mlp"]
        return {"val_accuracy": mlp.accuracy, "parameters": mlp.details.get("parameters")}

    def summary(self, jobs: Any) -> dict[str, Any]:
        """Learners connected now, tasks done, and how long comparisons wait."""
        now = self.clock()
        present = sum(now - seen <= self.PRESENT for seen, _ in self._tabs.values())
        return {
            "learners": present,
            "tasks": [{"id": t.id, "section": t.section, "place": place(t), "title": t.title,
                       "done": len(self._done[t.id])} for t in TASKS],
            "comparisons": {"running": jobs.running, "waiting": jobs.waiting,
                            "cores": jobs.max_jobs, "queue": jobs.max_waiting,
                            "wait": jobs.wait_percentiles()},
        }
