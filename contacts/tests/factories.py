import factory

from accounts.tests.factories import SubAccountFactory
from contacts.models import Contact
from contacts.services import contact_create


class ContactFactory(factory.django.DjangoModelFactory):
    """A contact, created through `contacts.services.contact_create` like every door creates one: normalized,
    validated, counted in its sub-account's `contact_count`, announced by a `contact.created` event.
    `ContactFactory(tags=["vip"])` tags it within its own sub-account."""

    class Meta:
        model = Contact

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        contact = contact_create(**kwargs)
        # Read back as a test would find it: not carrying the tag names the service wrote, which a test
        # that changes the tags afterwards would otherwise still see.
        return Contact.objects.for_account(contact.sub_account).get(pk=contact.pk)

    sub_account = factory.SubFactory(SubAccountFactory)
    name = factory.Faker("name")
    email = factory.Sequence(lambda n: f"customer{n}@example.com")
    phone = None
    tags = factory.LazyFunction(list)
    custom_fields = factory.LazyFunction(dict)
