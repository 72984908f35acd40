import pytest
from django.core.management import call_command

from accounts.models import APIKey, SubAccount
from contacts.models import Contact

pytestmark = pytest.mark.django_db


@pytest.fixture
def key_file(tmp_path, monkeypatch):
    path = tmp_path / ".demo-api-key"
    monkeypatch.setattr("contacts.management.commands.load_demo_data.KEY_FILE", path)
    return path


@pytest.fixture
def small_demo(monkeypatch):
    """A demo of a few contacts: the key and idempotence do not need all 200 (each full load takes ~10 s)."""
    monkeypatch.setattr("contacts.management.commands.load_demo_data.DEMO_CONTACTS", 12)
    return 12


def _printed_key(capsys) -> str:
    return capsys.readouterr().out.strip().splitlines()[-1]


def test_demo_data_loads_about_two_hundred_varied_contacts(key_file, capsys):
    call_command("load_demo_data")

    contacts = Contact.objects.for_account(SubAccount.objects.get(slug="demo"))
    assert contacts.count() == 200
    assert contacts.filter(tagged_items__isnull=False).distinct().count() > 50
    assert len({phone[:3] for phone in contacts.exclude(phone=None).values_list("phone", flat=True)}) > 3


def test_demo_data_prints_a_working_api_key_last(key_file, small_demo, capsys):
    call_command("load_demo_data")

    assert APIKey.objects.authenticate(_printed_key(capsys)) is not None


def test_loading_demo_data_twice_adds_nothing_and_keeps_the_key(key_file, small_demo, capsys):
    call_command("load_demo_data")
    first_key = _printed_key(capsys)
    call_command("load_demo_data")

    assert Contact.objects.unscoped().count() == small_demo
    assert _printed_key(capsys) == first_key
    assert APIKey.objects.count() == 1


def test_demo_data_prints_the_login_url_it_is_given(key_file, small_demo, capsys):
    call_command("load_demo_data", base_url="http://127.0.0.1:8111/")

    assert "Staff login: http://127.0.0.1:8111/ " in capsys.readouterr().out
