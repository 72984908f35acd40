"""Who acts (contacts_site.actions): the context a recorded change carries, and its scope."""

import pytest

from contacts_site.actions import Action, act, acting, action_scope, api_key_label, current_action


def test_outside_any_door_the_system_acts_with_a_fresh_action_each_time():
    first, second = current_action(), current_action()

    assert (first.source, first.user_id, first.api_key_id) == ("system", None, None)
    assert first.id != second.id


def test_an_action_set_inside_a_scope_is_forgotten_when_it_ends():
    with action_scope():
        act(source="api", api_key_id=3, actor_label="Zapier (ck_ab12cd34…)")
        assert current_action().api_key_id == 3

    assert current_action().source == "system"


def test_a_nested_door_refines_the_outer_action_and_keeps_its_actor():
    with acting(source="api", api_key_id=3) as outer, acting(source="merge", ref="mrg_1") as inner:
        assert (inner.source, inner.api_key_id, inner.ref) == ("merge", 3, "mrg_1")
        assert inner.id != outer.id

    assert current_action().source == "system"


def test_an_unknown_source_is_refused():
    with pytest.raises(ValueError, match="Unknown source"):
        Action(source="fax")


def test_an_api_key_is_named_by_its_name_and_display_prefix():
    assert api_key_label("Zapier", "ck_ab12cd34") == "Zapier (ck_ab12cd34…)"
