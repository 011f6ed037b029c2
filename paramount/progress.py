"""Progress for long steps, without tying the library to a terminal.

Library code takes a `Reporter` and opens tasks on it; the command line passes a
`RichReporter` (progress bars on stderr), tests and embedded callers the silent default.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Protocol


class Task(Protocol):
    def advance(self, amount: float = 1) -> None: ...


class Reporter(Protocol):
    def task(self, description: str, total: float | None = None) -> Iterator[Task]: ...


class _SilentTask:
    def advance(self, amount: float = 1) -> None:
        return None


class SilentReporter:
    """Reports nothing: the default for library calls and tests."""

    @contextmanager
    def task(self, description: str, total: float | None = None) -> Iterator[Task]:
        yield _SilentTask()


class _RichTask:
    def __init__(self, progress, task_id) -> None:
        self._progress = progress
        self._task_id = task_id

    def advance(self, amount: float = 1) -> None:
        self._progress.advance(self._task_id, amount)


class RichReporter:
    """Progress bars on stderr, one line a task, with elapsed time."""

    def __init__(self) -> None:
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
        )

        self._progress = Progress(
            TextColumn("{task.description:<38}"),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            console=Console(stderr=True),
            transient=False,
        )

    def __enter__(self) -> RichReporter:
        self._progress.start()
        return self

    def __exit__(self, *exc) -> None:
        self._progress.stop()

    @contextmanager
    def task(self, description: str, total: float | None = None) -> Iterator[Task]:
        task_id = self._progress.add_task(description, total=total)
        try:
            yield _RichTask(self._progress, task_id)
        finally:
            task = self._progress.tasks[task_id]
            self._progress.update(task_id, total=task.completed or 1, completed=task.completed or 1)
