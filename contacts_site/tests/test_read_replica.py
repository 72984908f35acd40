"""DATABASE_REPLICA_URL sends safe requests' reads to the replica and everything else to the primary.

Run for real in a subprocess: two SQLite files stand in for primary and replica, holding different
contacts, so the answers show which database each request read.
"""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings

SCRIPT = """
import json, django
django.setup()
from django.core.management import call_command
from django.test import Client
from accounts.models import SubAccount
from accounts.services import api_key_create
from contacts.models import Contact
import shutil, sys

primary, replica = sys.argv[1], sys.argv[2]
if sys.argv[3] == "prepare":
    call_command("migrate", verbosity=0)
    account = SubAccount.objects.create(name="Acme", slug="acme")
    _, key = api_key_create(sub_account=account)
    print(key)
else:
    client = Client(headers={"Authorization": f"Bearer {sys.argv[4]}"})
    listed = client.get("/api/v1/contacts").json()["data"]
    created = client.post("/api/v1/contacts", {"name": "Written"}, content_type="application/json")
    print(json.dumps({
        "listed": [c["name"] for c in listed],
        "created": created.status_code,
        "primary_names": sorted(Contact.objects.unscoped().using("default").values_list("name", flat=True)),
    }))
"""


def _run(env, *args) -> str:
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT, *args],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        cwd=settings.BASE_DIR,
    )
    return result.stdout.strip().splitlines()[-1]


def test_safe_requests_read_the_replica_and_writes_go_to_the_primary(tmp_path: Path):
    primary, replica = tmp_path / "primary.sqlite3", tmp_path / "replica.sqlite3"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "contacts_site.settings",
        "DJANGO_DEBUG": "1",
        "DATABASE_URL": f"sqlite:///{primary}",
        "DJANGO_ALLOWED_HOSTS": "testserver",
    }
    env.pop("DATABASE_REPLICA_URL", None)
    key = _run(env, str(primary), str(replica), "prepare")
    shutil.copy(primary, replica)
    seed = "import sqlite3,sys; c=sqlite3.connect(sys.argv[1]); c.execute(\"insert into contacts_contact (id, sub_account_id, name, custom_fields, created_at, updated_at, conversation_count) values ('ct_R', 1, 'Only On Replica', '{}', '2026-01-01', '2026-01-01', 0)\"); c.commit()"
    subprocess.run([sys.executable, "-c", seed, str(replica)], check=True)

    outcome = json.loads(
        _run({**env, "DATABASE_REPLICA_URL": f"sqlite:///{replica}"}, str(primary), str(replica), "check", key)
    )

    assert outcome == {"listed": ["Only On Replica"], "created": 201, "primary_names": ["Written"]}


def test_without_a_replica_url_there_is_no_router():
    assert "replica" not in settings.DATABASES
    assert not getattr(settings, "DATABASE_ROUTERS", [])


# transaction=True: inside the test's own transaction every read would rightly go to the primary.
@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("method", ["GET", "HEAD"])
def test_the_router_reads_from_the_replica_only_for_safe_requests_outside_transactions(method, rf):
    from django.db import transaction

    from contacts_site.db_router import ReplicaReadsMiddleware, ReplicaRouter

    decisions = {}

    def view(request):
        decisions["plain"] = ReplicaRouter().db_for_read(None)
        with transaction.atomic():
            decisions["in_transaction"] = ReplicaRouter().db_for_read(None)

    ReplicaReadsMiddleware(view)(getattr(rf, method.lower())("/"))
    ReplicaReadsMiddleware(lambda request: decisions.setdefault("post", ReplicaRouter().db_for_read(None)))(
        rf.post("/")
    )

    assert decisions == {"plain": "replica", "in_transaction": "default", "post": "default"}
