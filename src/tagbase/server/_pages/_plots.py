"""Numeric metadata plotted over time: plotly figures built here, drawn in the page by the
plotly.js that the installed `plotly` package ships (served by tagbase, never a CDN)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

import plotly.graph_objects as go

from tagbase._client import Client
from tagbase._records import Entity
from tagbase._run_records import MetadataPoint
from tagbase.server._pages._metadata_view import numeric_keys, user_keys_first

ACCENT = "#4338ca"
GRID = "#e5e7eb"


@dataclass(frozen=True, slots=True)
class Plot:
    key: str
    points: int
    figure: str  # plotly figure JSON, read by static/tagbase.js


def plotly_js() -> Path:
    """plotly.min.js inside the installed plotly package."""
    return Path(str(resources.files("plotly") / "package_data" / "plotly.min.js"))


def series_plot(key: str, points: Sequence[MetadataPoint]) -> Plot:
    """A line over time of one key's values, each point named by the entity that logged it."""
    trace = go.Scatter(
        x=[point.at.isoformat() for point in points],
        y=[point.value for point in points],
        text=[point.entity.display_name for point in points],
        mode="lines+markers",
        line={"color": ACCENT, "width": 2},
        marker={"size": 6},
        hovertemplate="%{text}<br>%{x|%Y-%m-%d %H:%M}<br><b>%{y}</b><extra></extra>",
    )
    figure = go.Figure(trace)
    figure.update_layout(
        template="none",
        height=220,
        margin={"l": 56, "r": 16, "t": 12, "b": 40},
        font={"family": "system-ui, sans-serif", "size": 12, "color": "#374151"},
        xaxis={"gridcolor": GRID, "type": "date", "automargin": True, "nticks": 5},
        yaxis={"gridcolor": GRID, "zeroline": False},
        plot_bgcolor="white",
        paper_bgcolor="white",
        showlegend=False,
    )
    return Plot(key, len(points), figure.to_json())


def children_plots(
    client: Client, parent: Entity, children: Sequence[Entity], limit: int
) -> list[Plot]:
    """A plot per numeric key the listed children (versions, runs) carry, each over every
    child of `parent`: user keys first, then tagbase's."""
    keys: dict[str, None] = {}
    for child in children:
        keys.update(dict.fromkeys(numeric_keys(child.metadata)))
    plots = []
    for key in sorted(keys, key=user_keys_first)[:limit]:
        points = client.metadata_series(parent.kind, parent.id, key)
        if points:
            plots.append(series_plot(key, points))
    return plots
