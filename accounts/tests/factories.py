import factory
from django.contrib.auth import get_user_model

from accounts.models import Membership, SubAccount

DEFAULT_PASSWORD = "correct-horse-battery-staple"


class SubAccountFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SubAccount
        django_get_or_create = ["slug"]

    name = factory.Sequence(lambda n: f"Business {n}")
    slug = factory.Sequence(lambda n: f"business-{n}")
    default_phone_region = "US"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ["username"]
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"agent{n}")
    email = factory.LazyAttribute(lambda user: f"{user.username}@example.com")
    password = factory.PostGenerationMethodCall("set_password", DEFAULT_PASSWORD)

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    sub_account = factory.SubFactory(SubAccountFactory)
    role = Membership.Role.AGENT
