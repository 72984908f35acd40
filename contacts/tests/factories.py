import factory
from django.db.models import F

from accounts.models import SubAccount
from accounts.tests.factories import SubAccountFactory
from contacts.models import Contact, ContactTag, TaggedContact


class ContactFactory(factory.django.DjangoModelFactory):
    """A contact; `ContactFactory(tags=["vip"])` tags it within its own sub-account.

    Created through `contact_count`-aware `_create` so the sub-account's counter stays exact, as the
    services keep it."""

    class Meta:
        model = Contact
        skip_postgeneration_save = True

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        contact = super()._create(model_class, *args, **kwargs)
        SubAccount.objects.filter(pk=contact.sub_account_id).update(contact_count=F("contact_count") + 1)
        return contact

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
            # Not taggit's contact.tags.set(): it reads the links by contact id alone, which the tenant wall refuses.
            TaggedContact.objects.bulk_create(
                TaggedContact(sub_account=contact.sub_account, content_object=contact, tag=tag) for tag in tags
            )
