"""The harness's steps inside the product (DATABASE_URL picks the database): `python -m tools.import_bench.step
upload <csv>` queues the dry run of a new import and prints its id; `commit <id>` queues its commit; `show
<id>` prints the job as JSON. The work itself is done by `manage.py worker`, run by the harness."""

import json
import os
import sys

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "contacts_site.settings")
django.setup()

from django.core.files import File

from accounts.models import SubAccount
from imports import services
from imports.models import ImportJob
from imports.serializers import import_to_dict


def main(command: str, argument: str) -> None:
    if command == "upload":
        sub_account, _ = SubAccount.objects.get_or_create(slug="bench-import", defaults={"name": "Import benchmark"})
        with open(argument, "rb") as binary:
            job = services.import_upload(sub_account=sub_account, file=File(binary, name=os.path.basename(argument)))
        services.import_check(job=job, options={"add_tags": ["import-2026-12"]})
        print(job.pk)
        return
    job = ImportJob.objects.unscoped().select_related("sub_account").get(pk=argument)
    if command == "commit":
        services.import_commit(job=job, fingerprint=job.checked_fingerprint)
    elif command == "show":
        data = import_to_dict(job)
        data["contact_count"] = job.sub_account.contact_count
        print(json.dumps(data))


if __name__ == "__main__":
    main(*sys.argv[1:3])
