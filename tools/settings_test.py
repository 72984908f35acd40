"""The tools' own test run (`make test` runs it after the product's): the product's test settings plus
the benchmark app, so the harness is tested without being in the product's apps or test paths."""

from contacts_site.settings_test import *
from contacts_site.settings_test import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "tools.bench"]
ROOT_URLCONF = "tools.bench.urls"
