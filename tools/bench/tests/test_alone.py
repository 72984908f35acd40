"""The small-sub-account-alone comparison: its copy order, its database name and its target."""

import pytest

from tools.bench.alone import alone_database_url, dependency_order, is_small_scenario, markdown, targets
from tools.bench.measure import Request, Scenario

REFERENCES = [
    ("contacts_taggedcontact", "contacts_contact"),
    ("contacts_taggedcontact", "contacts_contacttag"),
    ("contacts_contact", "accounts_subaccount"),
    ("contacts_contacttag", "accounts_subaccount"),
    ("accounts_membership", "auth_user"),
    ("accounts_membership", "accounts_subaccount"),
    ("contacts_contact", "contacts_contact"),  # a self-reference (merged into) does not order anything
    ("taggit_taggeditem", "django_content_type"),  # neither table is copied
]


def _alone(*shared_and_alone: tuple[str, float, float]) -> dict:
    return {
        "alone": {
            "rounds": 2,
            "copied": {"seconds": 1.0, "rows": {"contacts_contact": 5000}},
            "results": {
                key: {"label": key, "shared_p50": shared, "alone_p50": alone} for key, shared, alone in shared_and_alone
            },
        }
    }


def test_every_table_is_copied_after_the_tables_it_references():
    tables = ["contacts_taggedcontact", "accounts_membership", "contacts_contact", "auth_user"]
    tables += ["contacts_contacttag", "accounts_subaccount"]

    order = dependency_order(tables, REFERENCES)

    assert sorted(order) == sorted(tables)
    for child, parent in REFERENCES:
        if child in tables and parent in tables and child != parent:
            assert order.index(parent) < order.index(child), (child, parent)


def test_a_foreign_key_cycle_is_refused_rather_than_copied_in_a_failing_order():
    with pytest.raises(ValueError, match="Cyclic"):
        dependency_order(["a", "b"], [("a", "b"), ("b", "a")])


def test_the_alone_database_is_named_after_the_shared_one():
    url = "postgres://postgres@127.0.0.1:5432/bench_system"

    assert alone_database_url(url) == "postgres://postgres@127.0.0.1:5432/bench_system_alone"


def test_small_scenarios_are_the_small_keys_and_those_run_with_the_small_key():
    def scenario(key, account):
        return Scenario(key=key, label=key, make=lambda index: Request("GET", "/"), account=account)

    assert is_small_scenario(scenario("small:search:mid", "small"))
    assert is_small_scenario(scenario("combo:tag_and_search", "small"))
    assert not is_small_scenario(scenario("big:search:mid", "big"))


def test_a_small_scenario_at_most_one_and_a_half_times_its_alone_p50_meets_the_target():
    [target] = targets(_alone(("small:search:mid", 7.5, 5.0), ("small:search:rare", 3.0, 4.0)))

    assert target["met"] is True
    assert target["scenarios"] == []


def test_a_small_scenario_slower_than_one_and_a_half_times_alone_misses_it_and_is_named():
    [target] = targets(_alone(("small:search:mid", 7.6, 5.0), ("small:search:rare", 3.0, 4.0)))

    assert (target["met"], target["scenarios"]) == (False, ["small:search:mid"])
    assert "small:search:mid" in target["value"]


def test_a_run_without_the_comparison_has_no_target_and_no_section():
    assert targets({"alone": None}) == []
    assert markdown({"alone": None}) == []


def test_the_section_shows_each_scenario_with_both_p50s_and_the_ratio():
    lines = markdown(_alone(("small:search:mid", 9.0, 4.5)))

    assert "| small:search:mid | 9.00 | 4.50 | 2.0× | **no** |" in lines
