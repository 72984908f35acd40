"""Plan shapes: what the planner chose, compared across ANALYZE samples, and the target on them."""

from tools.bench.plans import markdown, shape, targets, unstable

BITMAP_PLAN = {
    "Node Type": "Limit",
    "Total Cost": 120.5,
    "Plan Rows": 25,
    "Plans": [
        {
            "Node Type": "Sort",
            "Plan Rows": 812,
            "Plans": [
                {
                    "Node Type": "Bitmap Heap Scan",
                    "Relation Name": "contacts_contact",
                    "Plan Rows": 812,
                    "Plans": [
                        {"Node Type": "Bitmap Index Scan", "Index Name": "contact_search_trgm", "Plan Rows": 812}
                    ],
                }
            ],
        }
    ],
}
BITMAP_SHAPE = "Limit(Sort(Bitmap Heap Scan[contacts_contact](Bitmap Index Scan[contact_search_trgm])))"
INDEX_WALK_SHAPE = "Limit(Index Scan[contact_account_created])"


def test_a_shape_names_the_node_types_their_index_or_relation_and_their_children_in_order():
    assert shape(BITMAP_PLAN) == BITMAP_SHAPE


def test_costs_and_row_estimates_do_not_change_the_shape():
    reestimated = {**BITMAP_PLAN, "Total Cost": 9999.0, "Plan Rows": 3}

    assert shape(reestimated) == shape(BITMAP_PLAN)


def test_a_different_index_is_a_different_shape():
    other_index = {"Node Type": "Index Scan", "Index Name": "contact_account_created", "Relation Name": "c"}

    assert shape({"Node Type": "Limit", "Plans": [other_index]}) == INDEX_WALK_SHAPE


def test_a_statement_whose_shape_changed_is_reported_with_each_shape_and_how_often_it_was_chosen():
    statements = {"SELECT 1": {"scenarios": ["big:search:mid"]}, "SELECT 2": {"scenarios": ["list"]}}
    shapes = {
        "SELECT 1": [BITMAP_SHAPE, INDEX_WALK_SHAPE, BITMAP_SHAPE],
        "SELECT 2": [INDEX_WALK_SHAPE, INDEX_WALK_SHAPE, INDEX_WALK_SHAPE],
    }

    assert unstable(statements, shapes) == [
        {"sql": "SELECT 1", "scenarios": ["big:search:mid"], "shapes": {BITMAP_SHAPE: 2, INDEX_WALK_SHAPE: 1}}
    ]


def _plans(flipped: list[dict]) -> dict:
    return {
        "plans": {
            "analyzes": 5,
            "tables": ["contacts_contact"],
            "statements": 40,
            "unstable": flipped,
            "slowest": {"big:search:mid (API p50 9.0 ms)": "Limit ..."},
        }
    }


def test_no_changed_shape_meets_the_stable_plans_target():
    [target] = targets(_plans([]))

    assert (target["met"], target["value"]) == (True, "0 of 40 statements changed")


def test_a_changed_shape_misses_it_and_names_the_scenarios_that_issued_the_statement():
    flipped = [{"sql": "SELECT 1", "scenarios": ["small:search:mid", "big:search:mid"], "shapes": {"a": 1, "b": 5}}]

    [target] = targets(_plans(flipped))

    assert (target["met"], target["scenarios"]) == (False, ["big:search:mid", "small:search:mid"])


def test_the_section_lists_the_shapes_seen_and_the_slowest_scenarios_plans():
    flipped = [{"sql": "SELECT 1", "scenarios": ["big:search:mid"], "shapes": {BITMAP_SHAPE: 4, INDEX_WALK_SHAPE: 2}}]

    text = "\n".join(markdown(_plans(flipped)))

    assert f"4× {BITMAP_SHAPE}" in text
    assert f"2× {INDEX_WALK_SHAPE}" in text
    assert "<summary>big:search:mid (API p50 9.0 ms)</summary>" in text
