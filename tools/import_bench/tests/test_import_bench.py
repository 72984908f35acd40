"""The import benchmark's own parts: its generated file, and the section it writes into the doc."""

import csv

import phonenumbers

from tools.import_bench.__main__ import END, START, markdown, write_section
from tools.import_bench.generate import BAD_EVERY, write_csv

RESULT = {
    "engine": "postgresql",
    "rows": 1000,
    "file_mb": 0.1,
    "dry_run_seconds": 1.0,
    "dry_run_peak_rss_mb": 90,
    "commit_seconds": 2.0,
    "commit_peak_rss_mb": 95,
    "counts": {"created": 995, "updated": 0, "unchanged": 0, "errors": 5},
    "reimport_seconds": 1.5,
    "reimport_peak_rss_mb": 96,
    "reimport_counts": {"created": 0, "updated": 0, "unchanged": 995, "errors": 5},
}


def test_the_generated_file_has_valid_distinct_phones_and_one_bad_email_in_two_hundred(tmp_path):
    path = tmp_path / "c.csv"
    write_csv(path, 1000)
    with open(path, newline="", encoding="utf-8") as file:
        header, *rows = list(csv.reader(file))
    assert header == ["Name", "Email", "Phone", "Tags", "Plan", "Seats"]
    assert len(rows) == 1000
    assert sum("@" not in row[1] for row in rows) == 1000 // BAD_EVERY
    assert all(phonenumbers.is_valid_number(phonenumbers.parse(row[2], "US")) for row in rows)
    assert len({phonenumbers.format_number(phonenumbers.parse(row[2], "US"), 0) for row in rows}) == 1000


def test_the_section_replaces_only_what_is_between_its_markers(tmp_path):
    doc = tmp_path / "doc.md"
    doc.write_text(f"# Title\n\nBefore.\n\n{START}\nold figures\n{END}\n\nAfter.\n")
    write_section(doc, markdown([RESULT], "python -m tools.import_bench"))
    text = doc.read_text()
    assert text.startswith("# Title\n\nBefore.\n\n") and text.endswith("\n\nAfter.\n")
    assert "old figures" not in text
    assert "| postgresql | 1,000 |" in text and "995 / 0 / 0 / 5" in text
