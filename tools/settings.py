"""The tools' settings: the product's, plus the benchmark app (the naive baseline) and its URLs.

Only the tools use this module (`DJANGO_SETTINGS_MODULE=tools.settings`); the product never installs
`tools.bench` nor mounts `/naive/`.
"""

from contacts_site.settings import *
from contacts_site.settings import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "tools.bench"]
ROOT_URLCONF = "tools.bench.urls"
