"""The report's targets and tables of the scenario families (combinations, depth, exact lookups, overhead)."""

from tools.bench.report import (
    combinations_section,
    combinations_target,
    depth_sections,
    depth_target,
    evaluate,
    exact_lookups_target,
)


def _result(p50: float, sql: float = 1.0, p95: float | None = None) -> dict:
    return {
        "api": {"n": 10, "p50": p50, "p95": p95 or p50 * 1.5, "p99": p50 * 2, "requests_per_second": 1},
        "api_sql": {"p50": sql, "queries": 2},
    }


def _combinations(*p50s: float) -> dict:
    return {f"combo:{index + 1:02d}": _result(p50) for index, p50 in enumerate(p50s)}


def test_the_combinations_target_names_the_worst_combination_with_its_url_and_the_median():
    results = _combinations(4.0, 20.0, 6.0)

    target = combinations_target(results, {"combo:02": "/api/v1/contacts?tag=vip"}, limit_ms=15, name="Any")

    assert target["met"] is False
    assert target["scenarios"] == ["combo:02"]
    assert "worst p50 20.00 ms (p95 30.00, SQL 1.00 ms; combo:02: `/api/v1/contacts?tag=vip`)" in target["value"]
    assert "median p50 6.00 ms of 3" in target["value"]


def test_combinations_all_within_the_limit_meet_the_target():
    assert combinations_target(_combinations(4.0, 14.0), {}, limit_ms=15, name="Any")["met"] is True


def test_sqlite_combinations_are_judged_from_their_timings_alone():
    timings = {"combo:01": {"p50": 60.0, "p95": 70.0}, "list": {"p50": 1.0, "p95": 1.0}}

    target = combinations_target(timings, {"combo:01": "/x"}, limit_ms=50, name="SQLite")

    assert (target["met"], target["scenarios"]) == (False, ["combo:01"])


def test_a_deep_page_more_than_twice_its_lists_first_page_misses_the_depth_target():
    results = {
        "depth:name:first": _result(5.0),
        "depth:name:20k": _result(6.0),
        "depth:name:100k": _result(11.0),
        "depth:tag:first": _result(2.0),
        "depth:tag:20k": _result(3.9),
    }

    target = depth_target(results, prefix="depth:", first_step="first", name="Depth")

    assert (target["met"], target["scenarios"]) == (False, ["depth:name:100k"])
    assert target["value"] == "worst 2.2× (depth:name:100k: 11.00 vs 5.00 ms)"


def test_staff_depth_is_judged_against_page_1_and_not_the_api_depth():
    results = {
        "page:depth:name:1": _result(20.0),
        "page:depth:name:last": _result(30.0),
        "depth:name:first": _result(1.0),
    }

    target = depth_target(results, prefix="page:depth:", first_step="1", name="Staff depth")

    assert (target["met"], target["value"]) == (True, "worst 1.5× (page:depth:name:last: 30.00 vs 20.00 ms)")


def test_an_exact_lookup_whose_sql_takes_over_1_ms_misses_the_target():
    results = {"exact:big:email": _result(3.0, sql=0.4), "exact:small:phone_national": _result(3.0, sql=1.6)}

    target = exact_lookups_target(results)

    assert (target["met"], target["scenarios"]) == (False, ["exact:small:phone_national"])


def _data(results: dict, scenarios: list[dict]) -> dict:
    return {
        "results": results,
        "scenarios": scenarios,
        "samples": {"depth": 1000},
        "peak_worker_rss_mb": 100.0,
        "serialization": {"lean_us": 5.0},
    }


def _base_results() -> dict:
    return {
        "list": _result(3.0, sql=1.0),
        "list_offset": _result(5.0),
        "tag_one": _result(3.0),
        "tag_two": _result(3.0),
        "small:list_search:rare": _result(3.0),
        "big:list_search:rare": _result(3.0),
    }


def test_evaluate_adds_the_app_overhead_of_get_one_contact():
    results = {**_base_results(), "get": _result(5.5, sql=2.0)}

    targets = {target["name"]: target for target in evaluate(_data(results, []))}

    assert targets["App overhead on get one contact"]["value"] == "3.50 ms"
    assert targets["App overhead on get one contact"]["met"] is False


def test_evaluate_adds_a_target_per_family_measured():
    results = {
        **_base_results(),
        **_combinations(4.0),
        "depth:name:first": _result(5.0),
        "depth:name:20k": _result(6.0),
        "page:depth:name:1": _result(20.0),
        "page:depth:name:400": _result(25.0),
        "exact:big:email": _result(3.0, sql=0.4),
    }
    scenarios = [{"key": "combo:01", "path": "/api/v1/contacts?sort=name"}]

    names = [target["name"] for target in evaluate(_data(results, scenarios))]

    assert "Any combination of filters, search and sort (first page)" in names
    assert "Depth: API offsets up to 100k, any list" in names
    assert "Depth: staff pages up to the last, any list" in names
    assert "Exact lookups: a full email, a phone in 4 formats, `search=` on both sub-accounts" in names


def test_the_combinations_table_lists_the_slowest_first_after_the_median():
    results = _combinations(4.0, 20.0, 6.0)
    scenarios = [
        {"key": key, "label": f"sort=name&n={index}", "matches": index, "path": "/"}
        for index, key in enumerate(results)
    ]

    lines = combinations_section(_data(results, scenarios))

    rows = [line for line in lines if line.startswith("| combo:")]
    assert [row.split(" | ")[0] for row in rows] == ["| combo:02", "| combo:03", "| combo:01"]
    assert any("Median p50 **6.00 ms**; 2 of 3 within 15 ms." in line for line in lines)


def test_the_depth_table_marks_a_deep_page_over_twice_its_first_page():
    results = {"depth:name:first": _result(5.0), "depth:name:100k": _result(11.0)}
    scenarios = [
        {"key": "depth:name:first", "label": "By name: first page", "matches": 500},
        {"key": "depth:name:100k", "label": "By name: offset 475 (its deepest page)", "matches": 500},
    ]

    lines = depth_sections(_data(results, scenarios))

    assert "| By name: offset 475 (its deepest page) | 500 | 10 | 11.00 | 16.50 | 1.00 | **2.2×** |" in lines


def test_the_deep_staff_pages_table_marks_a_page_over_50_ms():
    results = {"page:depth:name:1": _result(20.0), "page:depth:name:last": _result(60.0)}
    scenarios = [
        {"key": "page:depth:name:1", "label": "Page: by name: page 1", "matches": 500},
        {"key": "page:depth:name:last", "label": "Page: by name: page 20 (the last)", "matches": 500},
    ]

    lines = depth_sections(_data(results, scenarios))

    assert "| Page: by name: page 20 (the last) | 500 | 10 | **60.00** | 90.00 | 1.00 | **3.0×** |" in lines
    assert "| Page: by name: page 1 | 500 | 10 | 20.00 | 30.00 | 1.00 |  |" in lines
