"""Scenario families: many requests of one kind, judged together (the worst and the median, a ratio).

- combinations (`combo:NN`): the list's filters combined (search, one to three tags with each
  `tag_match`, a custom-field condition of each operator, each sort and direction), at the first page;
- depth (`depth:<list>:<step>`): the first page, offset 20,000 and offset 100,000 of several lists
  (the deepest page the list has when it is shorter), judged against the list's first page;
- staff depth (`page:depth:<list>:<step>`): the same lists on the staff page, page 1, 400, 15,000
  (unfiltered lists) and the last;
- exact lookups (`exact:<account>:<form>`): a full email and a phone in several formats as `search=`.

Everything here is plain data (no database): the runner counts the matches and builds the requests.
"""

import math
import random
from dataclasses import dataclass
from urllib.parse import urlencode

import phonenumbers

from tools.bench import vocabulary as vocab

PER_PAGE = 25  # the API's default limit and the staff list's default page size

# ---- combinations ------------------------------------------------------------------------------------

DEFAULT_COMBINATIONS = 24
DEFAULT_COMBINATION_SEED = 17
# Each combination has fewer requests than a single scenario: a family is judged by its worst and median.
DEFAULT_FAMILY_REQUESTS = 60

SORTS = ("created", "updated", "name", "last_conversation")
DIRECTIONS = ("asc", "desc")
TAG_MATCHES = ("all", "any", "none")
# Search terms of every frequency (None: no search); the multi-word one is the staff pages' kind of query.
SEARCH_CHOICES = (
    None,
    vocab.SEARCH_TERMS["common"],
    vocab.SEARCH_TERMS["mid"],
    vocab.SEARCH_TERMS["rare"],
    vocab.MULTI_WORD_SEARCH_TERMS["two_names"],
)
TAGS_BY_FREQUENCY = {
    "common": [name for name, _ in vocab.COMMON_TAGS],
    "mid": [name for name, _ in vocab.MID_TAGS],
    "rare": [name for name, _ in vocab.RARE_TAGS],
}
# Which tag frequencies a combination carries: none, one of each kind, two, three.
TAG_SHAPES = ((), ("common",), ("mid",), ("rare",), ("common", "mid"), ("common", "mid", "rare"))
# Custom-field conditions on the fields the generator writes (generate.Generator._custom_fields).
CUSTOM_FIELD_KINDS = (None, "equals", "contains", "set", "min", "max", "range")
_COMPANY_WORDS = sorted({word for company in vocab.COMPANIES for word in company.split()[:2]})


def _custom_field_condition(kind: str | None, rng: random.Random) -> list[tuple[str, str]]:
    if kind is None:
        return []
    if kind == "equals":
        return [("custom_field.plan", rng.choice([plan for plan, _ in vocab.PLANS]))]
    if kind == "contains":
        return [("custom_field_contains.company", rng.choice(_COMPANY_WORDS).lower())]
    if kind == "set":
        return [(f"custom_field_set.{rng.choice(['lifetime_value', 'seats'])}", rng.choice(["true", "false"]))]
    if kind == "min":
        return [("custom_field_min.seats", str(rng.choice([5, 20, 50])))]
    if kind == "max":
        return [("custom_field_max.lifetime_value", str(rng.choice([50, 200, 1000])))]
    low = rng.choice([2, 5, 10])
    return [("custom_field_min.seats", str(low)), ("custom_field_max.seats", str(low * 4))]


def combination(index: int, seed: int = DEFAULT_COMBINATION_SEED) -> list[tuple[str, str]]:
    """The `index`-th combination's API parameters.

    Each axis cycles on its own so that 24 combinations hold every value of every axis and the pairs that
    steer a plan meet: sort × direction every 8, sort × search every 20, sort × tag shape every 24 (the
    shape shifted by one in the second dozen), tag shape × tag_match every 18, custom-field kinds every 7.
    The concrete tags and operands are drawn with a seed of the combination's own, so adding combinations
    leaves the earlier ones as they were (comparable from run to run).
    """
    rng = random.Random(f"{seed}:{index}")
    params: list[tuple[str, str]] = []
    if search := SEARCH_CHOICES[index % len(SEARCH_CHOICES)]:
        params.append(("search", search))
    shape = TAG_SHAPES[(index + index // 12) % len(TAG_SHAPES)]
    params += [("tag", rng.choice(TAGS_BY_FREQUENCY[frequency])) for frequency in shape]
    if shape:
        params.append(("tag_match", TAG_MATCHES[(index // len(TAG_SHAPES)) % len(TAG_MATCHES)]))
    params += _custom_field_condition(CUSTOM_FIELD_KINDS[index % len(CUSTOM_FIELD_KINDS)], rng)
    params.append(("sort", SORTS[index % len(SORTS)]))
    params.append(("direction", DIRECTIONS[(index // len(SORTS)) % len(DIRECTIONS)]))
    return params


def combinations(count: int = DEFAULT_COMBINATIONS, seed: int = DEFAULT_COMBINATION_SEED) -> list[list]:
    return [combination(index, seed) for index in range(count)]


def combination_key(index: int) -> str:
    return f"combo:{index + 1:02d}"


def query_string(params: list[tuple[str, str]]) -> str:
    return urlencode(params)


def readable(params: list[tuple[str, str]]) -> str:
    """The parameters as a person reads them (not URL-encoded): `search=smith john&tag=vip&sort=name`."""
    return "&".join(f"{name}={value}" for name, value in params)


def page_spelling(params) -> list[tuple[str, str]]:
    """API list parameters as the staff page spells them: `q` for the API's `search`, everything else alike."""
    return [("q" if name == "search" else name, value) for name, value in params]


# ---- depth -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DepthList:
    key: str
    label: str
    params: tuple[tuple[str, str], ...]  # the API's spelling

    @property
    def is_filtered(self) -> bool:
        return any(name not in {"sort", "direction"} for name, _ in self.params)

    def page_params(self) -> list[tuple[str, str]]:
        return page_spelling(self.params)


DEPTH_LISTS = (
    DepthList("newest", "Unfiltered, newest first", ()),
    DepthList("name", "Unfiltered, by name", (("sort", "name"),)),
    DepthList("last_conversation", "Unfiltered, by last conversation", (("sort", "last_conversation"),)),
    DepthList("tag_name", "Common tag `newsletter`, by name", (("tag", "newsletter"), ("sort", "name"))),
    DepthList("custom_field", "Custom field `plan=free`", (("custom_field.plan", "free"),)),
    DepthList(
        "search_tag",
        "`search=son` and tag `newsletter`",
        (("search", vocab.SEARCH_TERMS["common"]), ("tag", "newsletter")),
    ),
)
API_DEPTH_OFFSETS = {"first": 0, "20k": 20_000, "100k": 100_000}
STAFF_DEPTH_PAGES = {"1": 1, "400": 400, "15000": 15_000}  # 15,000: unfiltered lists only


def api_depth_steps(matches: int) -> dict[str, int]:
    """step → offset of the API depth scenarios of a list of `matches` rows: an offset beyond the list
    becomes its deepest page's, and a step that lands where an earlier one did is left out."""
    deepest = max(0, (matches - 1) // PER_PAGE * PER_PAGE)
    steps: dict[str, int] = {}
    for step, offset in API_DEPTH_OFFSETS.items():
        offset = min(offset, deepest)
        if offset not in steps.values():
            steps[step] = offset
    return steps


def staff_depth_steps(matches: int, *, filtered: bool) -> dict[str, int]:
    """step → page number of the staff depth scenarios: page 1, 400 and (unfiltered) 15,000 where the
    list has them, and its last page."""
    last = max(1, math.ceil(matches / PER_PAGE))
    steps = {"1": 1}
    for step, page in STAFF_DEPTH_PAGES.items():
        if 1 < page < last and not (filtered and step == "15000"):
            steps[step] = page
    if last not in steps.values():
        steps["last"] = last
    return steps


def staff_page_params(page: int, filters: list[tuple[str, str]]) -> list[tuple[str, str]]:
    """The staff list's URL parameters for page `page` of a list: the one place the staff depth scenarios
    say how a page is asked for. When the pager changes (a keyset `cursor` behind the page numbers), adapt
    this, e.g. by following the links of the page before."""
    return [*filters, ("page", str(page))] if page > 1 else list(filters)


# ---- exact lookups -----------------------------------------------------------------------------------


def phone_forms(e164: str) -> dict[str, str]:
    """One phone number as people type it: E.164, the national format, with spaces, with dashes."""
    number = phonenumbers.parse(e164)
    international = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
    national = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
    national_digits = "".join(char if char.isdigit() else " " for char in national).split()
    return {
        "phone_e164": e164,
        "phone_national": national,
        "phone_spaces": "+" + " ".join("".join(char if char.isdigit() else " " for char in international).split()),
        "phone_dashes": "-".join(national_digits),
    }
