import factory

from accounts.tests.factories import SubAccountFactory
from webhooks.models import Endpoint


class EndpointFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Endpoint

    sub_account = factory.SubFactory(SubAccountFactory)
    url = factory.Sequence(lambda n: f"https://hooks{n}.example.com/receive")
    events = factory.LazyFunction(lambda: ["*"])
    description = ""
