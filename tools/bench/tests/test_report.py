"""The report's check of the history cost target (issue 15)."""

from tools.bench.report import history_cost_target


def _cost(with_p95: float, without_p95: float) -> dict:
    return {"with": {"p50": with_p95 / 2, "p95": with_p95}, "without": {"p50": without_p95 / 2, "p95": without_p95}}


def test_a_patch_at_most_5_ms_slower_at_p95_with_history_meets_the_target():
    target = history_cost_target(_cost(9.0, 4.5))

    assert target["met"] is True
    assert target["value"].startswith("4.50 ms")


def test_a_patch_more_than_5_ms_slower_at_p95_with_history_misses_it():
    target = history_cost_target(_cost(12.0, 6.0))

    assert (target["met"], target["scenarios"]) == (False, ["patch"])
