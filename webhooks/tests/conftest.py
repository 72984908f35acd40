import pytest

from webhooks.tests.receiver import Receiver


@pytest.fixture(autouse=True)
def loopback_targets(settings):
    """Tests deliver to a receiver on 127.0.0.1 over http; the SSRF tests turn these back off."""
    settings.WEBHOOKS_ALLOW_PRIVATE_TARGETS = True
    settings.WEBHOOKS_ALLOW_HTTP = True
    settings.WEBHOOKS_RETRY_SCHEDULE = [5, 300, 1800, 7200, 18000, 36000, 36000]


@pytest.fixture
def receiver():
    with Receiver() as running:
        yield running
