"""Drawing a scenario: a Mermaid flowchart for the docs and the CLI, and plain data for the
browser editor to lay out itself."""

from __future__ import annotations

import re
from typing import Any

from .lint import reachable
from .model import Node, Scenario


def _deadend(node: Node) -> bool:
    return not node.is_ending and not node.choices and not node.gotos and node.sheet is None


def graph_data(scenario: Scenario) -> dict[str, Any]:
    live = reachable(scenario)
    nodes, links = [], []
    seen = set()
    for node in scenario.nodes:
        if node.id in seen:
            continue
        seen.add(node.id)
        nodes.append(
            {
                "id": node.id,
                "kind": node.kind,
                "reachable": node.id in live,
                "deadend": _deadend(node),
                "label": node.end or node.id,
                "line": node.line,
            }
        )
        for g in node.gotos:
            links.append({"source": node.id, "target": g.target, "label": g.condition or "", "kind": "goto"})
        for g in node.sheet.routes if node.sheet else ():  # branches on the figures written
            links.append({"source": node.id, "target": g.target, "label": g.condition or "", "kind": "sheet"})
        if not node.gotos:
            for c in node.choices:
                # a signal-picking node's readings are taken by how well the rep read: say when
                label = (
                    f"{c.label} (if {c.effects.condition})"
                    if node.signals and c.effects.condition
                    else c.label
                )
                links.append({"source": node.id, "target": c.target, "label": label, "kind": "choice"})
    return {"start": scenario.start, "nodes": nodes, "edges": links}


_DROP = re.compile(r"[{}\[\]|`;*_]")


def _text(label: str, limit: int = 40) -> str:
    """A label Mermaid cannot misread: brackets dropped, quotes and angles as entity codes."""
    label = _DROP.sub("", label).strip()
    label = label if len(label) <= limit else label[: limit - 1] + "…"
    return label.replace("#", "#35;").replace('"', "#quot;").replace("<", "#lt;").replace(">", "#gt;")


def _key(node_id: str) -> str:
    return "n_" + re.sub(r"[^a-zA-Z0-9_]", "_", node_id)


def mermaid(scenario: Scenario) -> str:
    data = graph_data(scenario)
    lines = ["flowchart TD"]
    for n in data["nodes"]:
        key, label = _key(n["id"]), _text(n["id"])
        if n["kind"] == "ending":
            shape = f'(["{label}: {_text(n["label"])}"])'
        elif n["kind"] == "goto":
            shape = f'{{"{label}"}}'
        elif n["kind"] == "phase":
            shape = f'[/"{label}"/]'
        elif n["kind"] == "signals":
            shape = f'[["{label}"]]'
        elif n["kind"] == "sheet":  # a hexagon: the figures the rep writes
            shape = f'{{{{"{label}"}}}}'
        else:
            shape = f'["{label}"]'
        lines.append(f"    {key}{shape}")
    known = {n["id"] for n in data["nodes"]}
    for e in data["edges"]:
        target = _key(e["target"]) if e["target"] in known else _key("missing-" + e["target"])
        arrow = "-.->" if e["kind"] in ("goto", "sheet") else "-->"
        label = _text(e["label"], 30)
        lines.append(
            f'    {_key(e["source"])} {arrow}|"{label}"| {target}'
            if label
            else f"    {_key(e['source'])} {arrow} {target}"
        )
    lines.append("    classDef ending fill:#e6f4ea,stroke:#1e7e34")
    lines.append("    classDef deadend fill:#fdecea,stroke:#c62828")
    lines.append("    classDef unreachable fill:#eeeeee,stroke:#999,stroke-dasharray: 4 4")
    for cls, pick in (
        ("ending", lambda n: n["kind"] == "ending"),
        ("deadend", lambda n: n["deadend"]),
        ("unreachable", lambda n: not n["reachable"]),
    ):
        keys = [_key(n["id"]) for n in data["nodes"] if pick(n)]
        if keys:
            lines.append(f"    class {','.join(keys)} {cls}")
    return "\n".join(lines)
