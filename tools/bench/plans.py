"""Plan stability: a scenario's plan must not flip with the rows ANALYZE happens to sample.

ANALYZE reads a random sample, so estimates such as the selectivity of `LIKE '%smith%'` move from one
ANALYZE to the next, and a plan chosen close to a cost tie can flip (say, from a trigram bitmap scan to a
walk down the created-at index) and with it the latency. For every read statement the scenarios issued
(captured by sqltiming), this takes `EXPLAIN (FORMAT JSON)` with the statistics as loaded, then re-runs
ANALYZE on the contact and tag tables K times, explaining again after each, and compares the plans'
*shapes* — node types and index names, costs and row estimates ignored. A statement whose shape changed is
reported with every shape seen.

It also keeps the `EXPLAIN ANALYZE` of the N slowest scenarios' slowest statement for the report, taken
before the re-ANALYZEs, with the statistics the scenarios were measured with.
"""

import json

from tools.bench.report import _target

WRITES = ("INSERT", "UPDATE", "DELETE")
REANALYZED_TABLES = ("contacts_contact", "contacts_taggedcontact", "contacts_contacttag")


def add_arguments(parser) -> None:
    parser.add_argument("--no-plans", action="store_true", help="skip the plan-stability check")
    parser.add_argument(
        "--plan-analyzes",
        type=int,
        default=None,
        help="ANALYZE rounds of the plan-stability check (default 5, or 2 with --max-seconds ≤ 1 as in bench-small)",
    )
    parser.add_argument("--slowest-plans", type=int, default=5, help="EXPLAIN ANALYZE the N slowest scenarios")


def analyzes_for(args) -> int:
    if args.plan_analyzes is not None:
        return args.plan_analyzes
    return 2 if args.max_seconds <= 1 else 5


def shape(node: dict) -> str:
    """A plan node and its children as `Type[index](child, child)`: what the planner chose, not what it
    estimated. Scans name their relation too, so a sequential scan says of what."""
    label = node["Node Type"]
    if node.get("Index Name"):
        label += f"[{node['Index Name']}]"
    elif node.get("Relation Name"):
        label += f"[{node['Relation Name']}]"
    children = node.get("Plans", [])
    if children:
        label += "(" + ", ".join(shape(child) for child in children) + ")"
    return label


def _is_read(statement) -> bool:
    return not statement.many and statement.sql.lstrip().upper().startswith("SELECT")


def read_statements(captured: dict) -> dict[str, dict]:
    """The product's distinct read statements (SQL text with its parameters inlined) → the statement and the
    scenarios that issued it."""
    import psycopg
    from django.db import connection

    connection.ensure_connection()
    statements: dict[str, dict] = {}
    with psycopg.ClientCursor(connection.connection) as cursor:
        for (key, side), timing in captured.items():
            if side != "api":
                continue
            for statement in timing.statements:
                if not _is_read(statement):
                    continue
                text = cursor.mogrify(statement.sql, statement.params)
                entry = statements.setdefault(text, {"scenarios": []})
                if key not in entry["scenarios"]:
                    entry["scenarios"].append(key)
    return statements


def plan_shapes(statements: dict[str, dict], analyzes: int) -> dict[str, list[str]]:
    """Each statement's plan shape with the current statistics, then after each of `analyzes` ANALYZEs."""
    from django.db import connection

    connection.ensure_connection()
    raw = connection.connection  # the app's session settings; no parameters, so a `%` in the text stays as is
    shapes: dict[str, list[str]] = {text: [] for text in statements}
    for round_number in range(analyzes + 1):
        if round_number:
            raw.execute("ANALYZE " + ", ".join(REANALYZED_TABLES))
        for text in statements:
            plan = raw.execute("EXPLAIN (FORMAT JSON) " + text).fetchone()[0]
            plan = json.loads(plan) if isinstance(plan, str) else plan
            shapes[text].append(shape(plan[0]["Plan"]))
    return shapes


def unstable(statements: dict[str, dict], shapes: dict[str, list[str]]) -> list[dict]:
    """The statements seen with more than one shape: each shape with how many of the rounds chose it."""
    flipped = []
    for text, seen in shapes.items():
        counts: dict[str, int] = {}
        for one in seen:
            counts[one] = counts.get(one, 0) + 1
        if len(counts) > 1:
            flipped.append({"sql": text, "scenarios": statements[text]["scenarios"], "shapes": counts})
    return flipped


def slowest_scenario_plans(results: dict, captured: dict, count: int) -> dict[str, str]:
    """EXPLAIN ANALYZE of the slowest read statement of each of the `count` slowest read scenarios (API p50)."""
    from tools.bench.sqltiming import explain

    reads = []
    for (key, side), timing in captured.items():
        if side != "api" or key not in results or "api" not in results[key]:
            continue
        if any(statement.sql.lstrip().upper().startswith(WRITES) for statement in timing.statements):
            continue  # a write, or a read that writes (its plans are not the question here)
        reads_of = [(p50, s) for p50, s in zip(timing.statement_p50, timing.statements, strict=True) if _is_read(s)]
        if not reads_of:
            continue
        slowest = max(reads_of, key=lambda pair: pair[0])
        reads.append((results[key]["api"]["p50"], key, slowest))
    plans = {}
    for p50, key, (statement_p50, statement) in sorted(reads, key=lambda item: item[0], reverse=True)[:count]:
        plans[f"{key} (API p50 {p50:.1f} ms, its slowest statement {statement_p50:.1f} ms)"] = explain(statement)
    return plans


def run(results: dict, captured: dict, args) -> dict | None:
    from tools.bench.runner import log

    if args.no_plans or not captured:
        return None
    slowest = slowest_scenario_plans(results, captured, args.slowest_plans)
    statements = read_statements(captured)
    analyzes = analyzes_for(args)
    log(f"plan stability: {len(statements)} read statements, {analyzes} ANALYZEs of {', '.join(REANALYZED_TABLES)}")
    flipped = unstable(statements, plan_shapes(statements, analyzes))
    for entry in flipped:
        log(f"  plan changed with the sample: {', '.join(entry['scenarios'])}: {entry['shapes']}")
    return {
        "analyzes": analyzes,
        "tables": list(REANALYZED_TABLES),
        "statements": len(statements),
        "unstable": flipped,
        "slowest": slowest,
    }


# ---- report ------------------------------------------------------------------------------------------


def targets(data: dict) -> list[dict]:
    plans = data.get("plans")
    if not plans:
        return []
    flipped = plans["unstable"]
    return [
        _target(
            "Stable plans: each read statement's plan shape across ANALYZE samples",
            f"no change over {plans['analyzes']} ANALYZEs",
            f"{len(flipped)} of {plans['statements']} statements changed",
            not flipped,
            sorted({key for entry in flipped for key in entry["scenarios"]}),
        )
    ]


def markdown(data: dict) -> list[str]:
    plans = data.get("plans")
    if not plans:
        return []
    lines = [
        "## Plan stability",
        "",
        (
            f"Each of the {plans['statements']} distinct read statements the scenarios issued, explained "
            f"(`EXPLAIN (FORMAT JSON)`) with the statistics as loaded, then after each of {plans['analyzes']} "
            f"`ANALYZE {', '.join(plans['tables'])}`; its shape is the plan's node types and index names, costs "
            "and estimates ignored. "
            + (
                "No statement's shape changed."
                if not plans["unstable"]
                else f"{len(plans['unstable'])} changed with the sample:"
            )
        ),
        "",
    ]
    for entry in plans["unstable"]:
        lines += [
            f"<details><summary>{', '.join(entry['scenarios'])}</summary>",
            "",
            "```",
            entry["sql"],
            "",
            *(f"{count}× {one}" for one, count in entry["shapes"].items()),
            "```",
            "",
            "</details>",
            "",
        ]
    if plans["slowest"]:
        lines += [
            f"### The {len(plans['slowest'])} slowest read scenarios: EXPLAIN ANALYZE",
            "",
            "The slowest statement of each, with the statistics the scenarios were measured with.",
            "",
        ]
        for key, text in plans["slowest"].items():
            lines += [f"<details><summary>{key}</summary>", "", "```", text, "```", "", "</details>", ""]
    return lines
