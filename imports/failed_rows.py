"""The failing rows of an import as a CSV file: fix them and import that file again."""

import csv

from imports.csvio import Line, neutralise, unneutralise
from imports.models import ImportJob, ImportRowError

ERROR_COLUMN = "error"


def failed_rows_lines(job: ImportJob, *, dry_run: bool):
    """The file's header plus an `error` column, then each failing row as it was, with its errors. The cells
    are written back as they were read, so a fixed file imports to what was meant."""
    writer = csv.writer(Line())
    yield writer.writerow([*job.header, ERROR_COLUMN])
    errors = ImportRowError.objects.for_account(job.sub_account_id).filter(job=job, dry_run=dry_run)
    row_number, cells, messages = None, [], []
    for number, row_cells, column, message in (
        errors.order_by("row_number", "id").values_list("row_number", "cells", "column", "message").iterator(2000)
    ):
        if number != row_number and row_number is not None:
            yield writer.writerow(
                _padded(cells, len(job.header)) + [neutralise(f"Row {row_number}: " + "; ".join(messages))]
            )
            messages = []
        row_number, cells = number, row_cells
        messages.append(f"{column}: {message}" if column else message)
    if row_number is not None:
        yield writer.writerow(
            _padded(cells, len(job.header)) + [neutralise(f"Row {row_number}: " + "; ".join(messages))]
        )


def _padded(cells: list[str], width: int) -> list[str]:
    # Neutralised as the export does: the cells came from an untrusted file and go to a spreadsheet.
    return [neutralise(unneutralise(cell)) for cell in cells] + [""] * (width - len(cells))
