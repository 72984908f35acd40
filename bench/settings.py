"""The benchmark's settings: the product's, plus the naive baseline app and its URLs.

Only the benchmark uses this module (`DJANGO_SETTINGS_MODULE=bench.settings`); the product never
installs `bench` nor mounts `/naive/`.
"""

from contacts_site.settings import *
from contacts_site.settings import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "bench"]
ROOT_URLCONF = "bench.urls"
