"""Run work at the same moment in several threads, each with its own database connection: how the import
tests race two clicks, or two jobs, against each other on SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from collections.abc import Callable

from django.db import connection


def at_once(count: int, work: Callable[[int], object]) -> tuple[list[object], list[BaseException]]:
    """Run work(i) in count threads released together; return what each returned and what any raised."""
    ready = threading.Barrier(count)
    results: list[object] = [None] * count
    failures: list[BaseException] = []

    def run(index: int) -> None:
        try:
            ready.wait()
            results[index] = work(index)
        except BaseException as exc:  # a failure in a thread would otherwise pass unseen
            failures.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, failures
