"""The scenario families' parameters (tools.bench.families) and what the runner counts for them."""

import pytest

from contacts.tests.factories import ContactFactory
from tools.bench import families
from tools.bench.measure import Scenario
from tools.bench.scenarios import exact_lookup_terms, list_size


def _values(params: list[list[tuple[str, str]]], name: str) -> set[str]:
    return {value for combination in params for key, value in combination if key == name}


def test_two_dozen_combinations_hold_every_sort_direction_and_tag_match():
    params = families.combinations(24)

    assert _values(params, "sort") == set(families.SORTS)
    assert _values(params, "direction") == set(families.DIRECTIONS)
    assert _values(params, "tag_match") == set(families.TAG_MATCHES)


def test_two_dozen_combinations_hold_a_search_of_each_frequency_and_none():
    params = families.combinations(24)

    assert _values(params, "search") == {term for term in families.SEARCH_CHOICES if term}
    assert any(not any(name == "search" for name, _ in combination) for combination in params)


def test_two_dozen_combinations_hold_tags_of_each_frequency_up_to_three_at_once():
    params = families.combinations(24)
    tags = _values(params, "tag")

    for names in families.TAGS_BY_FREQUENCY.values():
        assert tags & set(names)
    assert max(sum(name == "tag" for name, _ in combination) for combination in params) == 3


def test_two_dozen_combinations_hold_each_custom_field_operator():
    params = families.combinations(24)
    prefixes = {name.split(".")[0] for combination in params for name, _ in combination if "." in name}

    assert prefixes == {
        "custom_field",
        "custom_field_contains",
        "custom_field_set",
        "custom_field_min",
        "custom_field_max",
    }


def test_more_combinations_leave_the_first_ones_as_they_were():
    assert families.combinations(30)[:8] == families.combinations(8)


def test_another_seed_draws_other_tags_and_operands():
    assert families.combinations(24, seed=1) != families.combinations(24, seed=2)


def test_api_depth_steps_of_a_long_list_are_the_first_page_and_offsets_20k_and_100k():
    assert families.api_depth_steps(500_000) == {"first": 0, "20k": 20_000, "100k": 100_000}


def test_an_api_depth_step_beyond_a_shorter_list_becomes_its_deepest_page():
    assert families.api_depth_steps(50_000) == {"first": 0, "20k": 20_000, "100k": 49_975}


def test_api_depth_steps_that_land_on_the_same_page_are_measured_once():
    assert families.api_depth_steps(10_001) == {"first": 0, "20k": 10_000}


def test_staff_depth_steps_of_a_long_unfiltered_list_reach_page_15000_and_the_last():
    assert families.staff_depth_steps(500_000, filtered=False) == {"1": 1, "400": 400, "15000": 15_000, "last": 20_000}


def test_a_filtered_list_has_no_page_15000_step():
    assert families.staff_depth_steps(500_000, filtered=True) == {"1": 1, "400": 400, "last": 20_000}


def test_a_list_of_one_page_has_only_its_first_step():
    assert families.staff_depth_steps(20, filtered=True) == {"1": 1}


def test_the_first_staff_page_is_asked_for_without_a_page_parameter():
    assert families.staff_page_params(1, [("q", "son")]) == [("q", "son")]
    assert families.staff_page_params(400, [("q", "son")]) == [("q", "son"), ("page", "400")]


def test_depth_lists_are_spelled_with_q_on_the_staff_page():
    depth_list = next(depth_list for depth_list in families.DEPTH_LISTS if depth_list.key == "search_tag")

    assert depth_list.page_params() == [("q", "son"), ("tag", "newsletter")]


def test_a_phone_is_typed_in_e164_national_spaced_and_dashed_forms():
    assert families.phone_forms("+12015550123") == {
        "phone_e164": "+12015550123",
        "phone_national": "(201) 555-0123",
        "phone_spaces": "+1 201 555 0123",
        "phone_dashes": "201-555-0123",
    }


@pytest.mark.django_db
def test_every_combination_is_a_valid_list_request(sub_account):
    for params in families.combinations(24):
        assert list_size(sub_account, params) == 0


@pytest.mark.django_db
def test_each_exact_lookup_term_finds_its_contact(sub_account):
    ContactFactory(sub_account=sub_account, email="ada@example.com", phone="+12015550123")
    ContactFactory(sub_account=sub_account, email="bob@example.com", phone="+442071838750")

    terms = exact_lookup_terms(sub_account)

    assert {form: list_size(sub_account, [("search", term)]) for form, term in terms.items()} == dict.fromkeys(terms, 1)


@pytest.mark.django_db
def test_counting_a_list_the_api_would_refuse_is_an_error(sub_account):
    with pytest.raises(ValueError, match="sort"):
        list_size(sub_account, [("sort", "shoe size")])


def test_a_family_scenario_warms_up_with_a_tenth_of_its_requests():
    family = Scenario("combo:01", "sort=name", lambda index: None, requests=60)
    single = Scenario("list", "List", lambda index: None)

    assert (family.warmup(20), family.warmup(2), single.warmup(20)) == (6, 2, 20)


def test_two_dozen_combinations_try_each_sort_with_no_tag_and_with_one_two_and_three_tags():
    pairs = {
        (dict(combination)["sort"], sum(name == "tag" for name, _ in combination))
        for combination in families.combinations(24)
    }

    assert pairs == {(sort, tags) for sort in families.SORTS for tags in range(4)}


def test_each_number_of_tags_is_tried_with_each_tag_match():
    pairs = {
        (sum(name == "tag" for name, _ in combination), dict(combination)["tag_match"])
        for combination in families.combinations(24)
        if "tag_match" in dict(combination)
    }

    assert pairs == {(tags, match) for tags in range(1, 4) for match in families.TAG_MATCHES}
