import factory

from accounts.tests.factories import SubAccountFactory
from contacts.models import Contact, ContactTag


class ContactFactory(factory.django.DjangoModelFactory):
    """A contact; `ContactFactory(tags=["vip"])` tags it within its own sub-account."""

    class Meta:
        model = Contact
        skip_postgeneration_save = True

    sub_account = factory.SubFactory(SubAccountFactory)
    name = factory.Faker("name")
    email = factory.Sequence(lambda n: f"customer{n}@example.com")
    phone = None
    custom_fields = factory.LazyFunction(dict)

    @factory.post_generation
    def tags(contact, create, extracted, **kwargs):
        if create and extracted:
            tags = [
                ContactTag.objects.get_or_create(sub_account=contact.sub_account, name=name.lower())[0]
                for name in extracted
            ]
            contact.tags.set(tags)
