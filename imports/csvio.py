"""Reading and writing CSV files: encoding and delimiter detection, streaming rows, CSV-injection safety.

Files are streamed from storage: nothing here reads a whole file into memory.
"""

import codecs
import csv
import io
import re

from django.core.exceptions import ValidationError

from contacts.validators import normalize_phone

DELIMITERS = ",;\t|"
SAMPLE_BYTES = 64 * 1024
PREVIEW_ROWS = 20
# A cell can be long (a pasted note); the csv module's default limit (128 KiB) refuses it.
csv.field_size_limit(16 * 1024 * 1024)

# OWASP "CSV Injection": cells starting with these are read as formulas by spreadsheets.
FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
# A cell written neutralised: one or more quotes, then a trigger. The export adds one quote to any cell
# of that shape or starting with a trigger; the import removes exactly one, so the two are inverses.
_NEUTRALISED = re.compile(r"'+[=+\-@\t\r]")
_NEEDS_QUOTE = re.compile(r"'*[=+\-@\t\r]")
_E164 = re.compile(r"\+[1-9][0-9]{6,14}")


class Line:
    """A file-like target for csv.writer that hands back each line written (for streamed answers)."""

    def write(self, text):
        return text


class FileProblem(ValueError):
    """The file cannot be read as CSV at all (not a row error: nothing of it can be imported)."""


def detect_encoding(sample: bytes) -> str:
    """UTF-8 (with or without BOM), UTF-16 (BOM, or the NUL bytes of ASCII text without one), else Windows-1252."""
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if sample.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    if len(sample) >= 4 and sample[1::2].count(0) > len(sample) // 4:
        return "utf-16-le"
    if len(sample) >= 4 and sample[0::2].count(0) > len(sample) // 4:
        return "utf-16-be"
    try:
        # Not final: the sample may end inside a multi-byte character.
        codecs.getincrementaldecoder("utf-8")().decode(sample, final=False)
        return "utf-8"
    except UnicodeDecodeError:
        return "cp1252"


def detect_delimiter(text: str) -> str:
    """One of the four delimiters: the sniffer's answer restricted to them, else the most frequent one in
    the header line (a one-column file has none: then a comma)."""
    try:
        return csv.Sniffer().sniff(text, delimiters=DELIMITERS).delimiter
    except csv.Error:
        first_line = text.split("\n", 1)[0]
        counts = {delimiter: first_line.count(delimiter) for delimiter in DELIMITERS}
        best = max(counts, key=counts.get)
        return best if counts[best] else ","


def text_stream(binary, encoding: str):
    # newline="": the csv module handles CRLF and newlines inside quoted cells itself. Django's File objects
    # proxy a real file object, which is what TextIOWrapper wants.
    return io.TextIOWrapper(getattr(binary, "file", binary), encoding=encoding, errors="strict", newline="")


def read_rows(binary, *, encoding: str, delimiter: str):
    """(row number, cells) of each data row, the header skipped; row numbers as a spreadsheet shows them
    (the header is row 1; a quoted newline does not start a row). A row of blank cells is skipped
    (spreadsheets leave them at the end), but counted."""
    reader = csv.reader(text_stream(binary, encoding), delimiter=delimiter)
    try:
        next(reader, None)
        for number, cells in enumerate(reader, start=2):
            if any(cell.strip() for cell in cells):
                yield number, cells
    except (UnicodeDecodeError, csv.Error) as error:
        raise FileProblem(f"The file cannot be read past row {reader.line_num}: {error}") from None


def row_count(binary, *, encoding: str, delimiter: str) -> int:
    return sum(1 for _ in read_rows(binary, encoding=encoding, delimiter=delimiter))


def sniff(binary) -> tuple[str, str, list[str], list[list[str]]]:
    """Encoding, delimiter, header and the first rows of a file: what the preview shows."""
    sample = binary.read(SAMPLE_BYTES)
    binary.seek(0)
    if not sample.strip():
        raise FileProblem("The file is empty.")
    encoding = detect_encoding(sample)
    text = sample.decode(encoding, errors="ignore")
    delimiter = detect_delimiter(text.lstrip("\ufeff"))
    stream = text_stream(binary, encoding)
    reader = csv.reader(stream, delimiter=delimiter)
    try:
        header = next(reader, None)
        rows = []
        for cells in reader:
            if len(rows) >= PREVIEW_ROWS:
                break
            if any(cell.strip() for cell in cells):
                rows.append(cells)
    except (UnicodeDecodeError, csv.Error) as error:
        raise FileProblem(f"The file is not readable CSV: {error}") from None
    finally:
        stream.detach()  # the caller's file stays open (a wrapper closes its buffer when collected)
    binary.seek(0)
    if not header or not any(cell.strip() for cell in header):
        raise FileProblem("The first row must be a header naming the columns.")
    if any("\x00" in cell for cell in header):
        raise FileProblem("The header row holds a NUL character: this is not a text CSV file.")
    return encoding, delimiter, [cell.strip() for cell in header], rows


FIELD_ALIASES = {
    "id": {"id", "contact id", "contact_id"},
    "name": {"name", "full name", "fullname", "contact name", "display name"},
    "email": {"email", "e-mail", "email address", "mail"},
    "phone": {"phone", "phone number", "mobile", "telephone", "tel", "cell", "phone_number"},
    "tags": {"tags", "tag", "labels", "label"},
}
# Written by the export (or the failing-rows file) but not set by an import.
NOT_IMPORTED = {"created_at", "updated_at", "last_conversation", "conversation_count", "error"}


def suggest_mapping(header: list[str]) -> list[str]:
    """For each column: `name`, `email`, `phone`, `tags`, `id`, `custom_fields.<key>` or `skip`. A column
    the export writes but the import cannot set (dates, derived counts) is skipped; any other unknown one
    becomes a custom field of its own name."""
    mapping, taken = [], set()
    for column in header:
        key = column.strip()
        lowered = key.lower()
        target = next((field for field, aliases in FIELD_ALIASES.items() if lowered in aliases), None)
        if target is None and lowered.startswith("custom_fields."):
            target = key if len(key) > len("custom_fields.") else None
        if target is None and key and lowered not in NOT_IMPORTED:
            target = f"custom_fields.{key[:64]}"
        if target is None or target in taken:
            target = "skip"
        taken.add(target)
        mapping.append(target)
    return mapping


def neutralise(cell: str, *, phone: bool = False) -> str:
    """A cell as written to a CSV file: a leading formula trigger behind a quote (OWASP), except a valid
    E.164 phone, which a spreadsheet shows as a number anyway."""
    if not cell or not _NEEDS_QUOTE.match(cell):
        return cell
    if phone and _E164.fullmatch(cell):
        try:
            normalize_phone(cell, "US")
            return cell
        except ValidationError:
            pass
    return "'" + cell


def unneutralise(cell: str) -> str:
    """The exact inverse of `neutralise`: one quote fewer on a cell that the export neutralised."""
    return cell[1:] if _NEUTRALISED.match(cell) else cell


TAG_SEPARATOR = ","


def tags_cell(tags: list[str]) -> str:
    """Tags in one cell, comma-separated; if a tag holds a comma, one per line (a tag is one line)."""
    return "\n".join(tags) if any(TAG_SEPARATOR in tag for tag in tags) else TAG_SEPARATOR.join(tags)


def tags_from_cell(cell: str) -> list[str]:
    separator = "\n" if "\n" in cell else TAG_SEPARATOR
    return [tag.strip() for tag in cell.replace("\r\n", "\n").split(separator) if tag.strip()]
