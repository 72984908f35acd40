import pytest

from contacts.models import Contact
from contacts.services import contacts_delete
from contacts.tests.factories import ContactFactory

pytestmark = pytest.mark.django_db


def test_deleting_contacts_chosen_by_tag_deletes_them_all(sub_account):
    """The tag links go first (the cascade); the contacts chosen through them must still go after."""
    for number in range(3):
        ContactFactory(sub_account=sub_account, name=f"Old {number}", tags=["stale"])
    ContactFactory(sub_account=sub_account, name="Keeper")

    deleted = contacts_delete(
        sub_account=sub_account,
        queryset=Contact.objects.for_account(sub_account).tagged(["stale"]),
    )

    assert deleted == 3
    assert list(Contact.objects.unscoped().values_list("name", flat=True)) == ["Keeper"]
