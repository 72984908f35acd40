import codecs

import pytest

from contacts.models import Contact
from imports.tests.conftest import import_csv, upload

pytestmark = pytest.mark.django_db

ROWS = [["name", "email", "city"], ["Zoë Ünal", "zoe@example.com", "Köln"], ["José", "jose@example.com", "São Paulo"]]


def csv_text(delimiter=",", newline="\n"):
    return newline.join(delimiter.join(row) for row in ROWS) + newline


def names(sub_account):
    return sorted(Contact.objects.for_account(sub_account).values_list("name", "custom_fields"))


EXPECTED = [("José", {"city": "São Paulo"}), ("Zoë Ünal", {"city": "Köln"})]


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (csv_text().encode("utf-8"), "utf-8"),
        (codecs.BOM_UTF8 + csv_text().encode("utf-8"), "utf-8-sig"),
        (csv_text().encode("utf-16"), "utf-16"),
        (csv_text().encode("utf-16-le"), "utf-16-le"),
        (csv_text().encode("cp1252"), "cp1252"),
    ],
    ids=["utf-8", "utf-8-bom", "utf-16-bom", "utf-16-le-no-bom", "windows-1252"],
)
def test_each_encoding_is_detected_and_read(sub_account, data, encoding):
    job = upload(sub_account, data)
    assert job.encoding == encoding
    import_csv_bytes = import_csv(sub_account, data)
    assert import_csv_bytes.counts["created"] == 2
    assert names(sub_account) == EXPECTED


@pytest.mark.parametrize("delimiter", [",", ";", "\t", "|"], ids=["comma", "semicolon", "tab", "pipe"])
def test_each_delimiter_is_detected(sub_account, delimiter):
    assert upload(sub_account, csv_text(delimiter)).delimiter == delimiter
    import_csv(sub_account, csv_text(delimiter))
    assert names(sub_account) == EXPECTED


def test_crlf_line_ends_are_read(sub_account):
    import_csv(sub_account, csv_text(newline="\r\n"))
    assert names(sub_account) == EXPECTED


def test_a_header_only_file_imports_nothing(sub_account):
    job = import_csv(sub_account, "name,email\n")
    assert (job.status, job.rows_total) == ("completed", 0)
    assert not Contact.objects.for_account(sub_account).exists()


def test_a_row_with_more_cells_than_the_header_is_a_row_error(sub_account):
    job = import_csv(sub_account, "name,email\nAda,ada@example.com,extra\nBob,bob@example.com\n")
    assert (job.counts["errors"], job.counts["created"]) == (1, 1)
