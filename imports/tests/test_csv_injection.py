import pytest

from contacts.models import Contact
from contacts.tests.factories import ContactFactory
from imports.csvio import neutralise, unneutralise
from imports.export import csv_lines
from imports.tests.conftest import import_csv

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("cell", ["=1+1", "+cmd", "-2", "@SUM(A1)", "\tx", "\rx", "'=x", "''+y"])
def test_a_formula_cell_is_neutralised_with_a_quote(cell):
    assert neutralise(cell) == "'" + cell


@pytest.mark.parametrize("cell", ["Ada", "", "'quoted", "1+1", "a=b"])
def test_a_harmless_cell_is_written_as_it_is(cell):
    assert neutralise(cell) == cell


def test_a_valid_e164_phone_is_not_neutralised():
    assert neutralise("+14155552671", phone=True) == "+14155552671"
    assert neutralise("+1", phone=True) == "'+1"


@pytest.mark.parametrize("cell", ["=1+1", "'=x", "plain", "'plain", "-", "''@"])
def test_the_import_strips_exactly_the_neutralisation(cell):
    assert unneutralise(neutralise(cell)) == cell


def test_an_export_reimports_to_the_same_contacts_with_no_change(sub_account):
    ContactFactory(
        sub_account=sub_account,
        name='=HYPERLINK("http://evil")',
        email="ada@example.com",
        phone="+14155552671",
        tags=["-vip", "a,b"],
        custom_fields={"formula": "@SUM(A1)", "seats": 12, "active": True, "note": "two\nlines"},
    )
    ContactFactory(sub_account=sub_account, name="Bob", email="bob@example.com", custom_fields={"plan": "'=quoted"})
    exported = "".join(csv_lines(Contact.objects.for_account(sub_account)))
    assert "'=HYPERLINK" in exported and ",+14155552671," in exported
    before = {c.pk: (c.name, c.phone, c.tag_names, c.custom_fields, c.updated_at) for c in _all(sub_account)}
    job = import_csv(sub_account, exported, match_by="id")
    assert job.counts == {"created": 0, "updated": 0, "unchanged": 2, "errors": 0}
    assert {c.pk: (c.name, c.phone, c.tag_names, c.custom_fields, c.updated_at) for c in _all(sub_account)} == before


def _all(sub_account):
    return list(Contact.objects.for_account(sub_account).with_tags())
