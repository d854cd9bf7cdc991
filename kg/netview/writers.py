"""A networkx graph written as GraphML (yEd, Cytoscape), GEXF (Gephi) or node-link JSON (d3, notebooks),
its attributes made to fit what each format can hold."""
from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import Any

import networkx as nx

from ..errors import KgError


GRAPH_FORMATS = ("graphml", "gexf", "json")
_GEXF_RESERVED = {"id", "pid", "start", "end", "spells", "viz", "start_open", "end_open"}


def scalar_copy(g: nx.Graph, fmt: str = "graphml") -> nx.Graph:
    """A copy whose attributes GraphML/GEXF can hold: lists become JSON text, mixed types become text.

    Both formats declare one type per attribute name, so an attribute that is an int on one node
    and text on another is written as text everywhere (reading it back must not fail).
    """
    h = g.copy()

    def fix(items: list[dict[str, Any]], reserved: set[str]) -> None:
        kinds: dict[str, set[type]] = defaultdict(set)
        for d in items:
            for k, v in list(d.items()):
                if v is None:
                    del d[k]
                    continue
                if isinstance(v, (list, tuple, set, dict)):
                    v = json.dumps(sorted(v, key=str) if isinstance(v, set) else v, ensure_ascii=False, default=str)
                elif not isinstance(v, (str, int, float, bool)):
                    v = str(v)
                if k in reserved:
                    del d[k]
                    k = f"attr_{k}"
                d[k] = v
                kinds[k].add(type(v))
        mixed = {k for k, ts in kinds.items() if len(ts) > 1}
        for d in items:
            for k in mixed & d.keys():
                d[k] = str(d[k])

    reserved = _GEXF_RESERVED if fmt == "gexf" else set()
    fix([d for _, d in h.nodes(data=True)], reserved)
    edge_data = [d for *_, d in (h.edges(keys=True, data=True) if h.is_multigraph() else h.edges(data=True))]
    fix(edge_data, reserved)
    fix([h.graph], set())
    return h


def write_graph(g: nx.Graph, path: str | Path, fmt: str) -> None:
    """Write the graph as GraphML (yEd, Cytoscape), GEXF (Gephi) or node-link JSON (d3, notebooks)."""
    if fmt not in GRAPH_FORMATS:
        raise KgError(f"unknown graph format {fmt!r}", hint="use one of: " + ", ".join(GRAPH_FORMATS))
    path = Path(path)
    if fmt == "json":
        data = nx.node_link_data(g, edges="edges")
        path.write_text(json.dumps(data, ensure_ascii=False, indent=1, default=str) + "\n", encoding="utf-8")
    elif fmt == "graphml":
        nx.write_graphml(scalar_copy(g, "graphml"), path)
    else:
        nx.write_gexf(scalar_copy(g, "gexf"), path)


