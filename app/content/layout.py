"""Where the studio draws a scenario's nodes and links: pure geometry for the SVG graph (the
template only draws what this computes), so it is tested without a browser or a database."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from .graph import graph_data
from .model import Scenario

NODE_W, NODE_H, GAP_X, GAP_Y, PAD = 184, 44, 28, 64, 16


def graph_layout(scenario: Scenario, visits: Mapping[tuple[str, int], int] | None = None) -> dict[str, Any]:
    """A top-down layered drawing: row = shortest distance from start, unreachable nodes in a
    last row, order in a row by the mean position of parents (two sweeps). Parallel links
    between two nodes are drawn once; a link is thicker when random play took it more often.
    `visits` maps (node id, 1-based choice number) to how often random play took that choice."""
    data = graph_data(scenario)
    nodes = {n["id"]: dict(n) for n in data["nodes"]}
    for e in data["edges"]:
        if e["target"] not in nodes:
            nodes[e["target"]] = {
                "id": e["target"],
                "kind": "missing",
                "reachable": False,
                "deadend": False,
                "label": "missing node",
                "line": 0,
            }
    out: dict[str, list[str]] = {}
    for e in data["edges"]:
        out.setdefault(e["source"], []).append(e["target"])
    layer: dict[str, int] = {}
    if data["start"] in nodes:
        layer[data["start"]] = 0
        queue = [data["start"]]
        while queue:
            nxt = []
            for s in queue:
                for t in out.get(s, []):
                    if t not in layer:
                        layer[t] = layer[s] + 1
                        nxt.append(t)
            queue = nxt
    last = max(layer.values(), default=-1) + 1
    for nid in nodes:
        layer.setdefault(nid, last)
    rows: dict[int, list[str]] = {}
    for nid in nodes:  # source order is the author's order
        rows.setdefault(layer[nid], []).append(nid)
    parents: dict[str, list[str]] = {}
    for e in data["edges"]:
        parents.setdefault(e["target"], []).append(e["source"])
    for _ in range(2):
        for r in sorted(rows):
            if r == 0:
                continue
            pos = {nid: i - (len(row) - 1) / 2 for row in rows.values() for i, nid in enumerate(row)}

            def weight(nid: str, pos: dict[str, float] = pos, r: int = r) -> float:
                ps = [pos[p] for p in parents.get(nid, []) if layer.get(p, r) < r]
                return sum(ps) / len(ps) if ps else pos[nid]

            rows[r].sort(key=weight)
    widest = max((len(row) for row in rows.values()), default=1)
    width = PAD * 2 + widest * NODE_W + (widest - 1) * GAP_X + 40  # room for loops on the right
    for r, row in rows.items():
        row_w = len(row) * NODE_W + (len(row) - 1) * GAP_X
        left = PAD + (width - 40 - 2 * PAD - row_w) / 2
        for i, nid in enumerate(row):
            nodes[nid]["x"] = left + i * (NODE_W + GAP_X)
            nodes[nid]["y"] = PAD + r * (NODE_H + GAP_Y)
    height = PAD * 2 + (max(rows, default=0) + 1) * (NODE_H + GAP_Y) - GAP_Y
    visits = visits or {}
    merged = {}
    numbers: dict[str, int] = {}
    for e in data["edges"]:
        numbers[e["source"]] = numbers.get(e["source"], 0) + 1
        n = numbers[e["source"]]
        key = (e["source"], e["target"], e["kind"])
        if key not in merged:
            merged[key] = {**e, "numbers": [], "labels": [], "count": None}
        m = merged[key]
        m["numbers"].append(n)
        m["labels"].append(e["label"])
        if e["kind"] == "choice":
            m["count"] = (m["count"] or 0) + visits.get((e["source"], n), 0) if visits else None
    edges = list(merged.values())
    top_count = max((e["count"] for e in edges if e["count"]), default=0)
    for e in edges:
        a, b = nodes[e["source"]], nodes[e["target"]]
        e["number"] = ",".join(str(n) for n in e["numbers"])
        e["label"] = " / ".join(label for label in e["labels"] if label)
        if e["source"] != e["target"] and layer[e["target"]] == layer[e["source"]]:
            # a sideways link in one row: an arc above the row
            x1, y1 = a["x"] + NODE_W / 2, a["y"]
            x2, y2 = b["x"] + NODE_W / 2, b["y"]
            top = y1 - 26
            e["d"] = f"M{x1:.0f},{y1:.0f} C{x1:.0f},{top:.0f} {x2:.0f},{top:.0f} {x2:.0f},{y2 - 4:.0f}"
            e["back"] = True
            e["lx"], e["ly"] = (x1 + x2) / 2, top + 2
        elif layer[e["target"]] <= layer[e["source"]]:
            # a loop or a jump back: leave from the right side, come around on the right
            x1, y1 = a["x"] + NODE_W, a["y"] + NODE_H / 2
            x2, y2 = b["x"] + NODE_W, b["y"] + NODE_H / 2
            side = max(x1, x2) + 36
            e["d"] = f"M{x1:.0f},{y1:.0f} C{side:.0f},{y1:.0f} {side:.0f},{y2:.0f} {x2 + 4:.0f},{y2:.0f}"
            e["back"] = True
            e["lx"], e["ly"] = side - 6, (y1 + y2) / 2
        else:
            x1, y1 = a["x"] + NODE_W / 2, a["y"] + NODE_H
            x2, y2 = b["x"] + NODE_W / 2, b["y"]
            mid = (y1 + y2) / 2
            e["d"] = f"M{x1:.0f},{y1:.0f} C{x1:.0f},{mid:.0f} {x2:.0f},{mid:.0f} {x2:.0f},{y2 - 4:.0f}"
            e["back"] = False
            # the label sits a third of the way along the curve, so fanning links keep theirs apart
            u = 0.34
            e["lx"] = (1 - u) ** 3 * x1 + 3 * (1 - u) ** 2 * u * x1 + 3 * (1 - u) * u * u * x2 + u**3 * x2 + 5
            e["ly"] = (1 - u) ** 3 * y1 + 3 * (1 - u) ** 2 * u * mid + 3 * (1 - u) * u * u * mid + u**3 * y2
        if e["count"] is not None and top_count:
            e["width"] = round(1.2 + 6 * (e["count"] / top_count) ** 0.5, 1)
        else:
            e["width"] = 1.4
    return {
        "nodes": list(nodes.values()),
        "edges": edges,
        "width": int(width),
        "height": int(height),
        "node_w": NODE_W,
        "node_h": NODE_H,
        "start": data["start"],
        "top_count": top_count,
    }
