"""Running work at the same instant from several threads, each with its own database connection."""

import threading
from collections.abc import Callable

from django.db import connections


def at_once(*works: Callable) -> list:
    """Call each of `works` in a thread of its own, all released together; their results, in order.
    A crash in any thread fails the caller: the first error is raised here."""
    barrier = threading.Barrier(len(works))
    results: list = [None] * len(works)
    errors: list[BaseException] = []

    def run(index: int) -> None:
        try:
            barrier.wait()
            results[index] = works[index]()
        except BaseException as error:  # noqa: BLE001 — re-raised in the calling thread below
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(index,)) for index in range(len(works))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]
    return results
