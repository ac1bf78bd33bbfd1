"""Server-rendered SVG charts for the compliance report (P23): no JavaScript, no CDN.

Each function takes plain numbers and returns an <svg> string with a title, a description that
reads the figures out (for screen readers), both axis labels and a legend; labels are escaped.
"""

from django.utils.html import escape

WIDTH, HEIGHT, PAD_LEFT, PAD_BOTTOM, PAD_TOP = 640, 260, 56, 56, 20
PALETTE = {"disclosure": "#1f77b4", "correction": "#ff7f0e", "deletion": "#d62728",
           "inquiry": "#2ca02c", "stop_use": "#9467bd", "stop_provision": "#8c564b",
           "purpose_notice": "#e377c2"}
FALLBACK = "#7f7f7f"
LEGEND_ROW = 18


def _axes(x_label: str, y_label: str) -> str:
    bottom = HEIGHT - PAD_BOTTOM
    return (f'<line x1="{PAD_LEFT}" y1="{bottom}" x2="{WIDTH - 10}" y2="{bottom}" stroke="#333"/>'
            f'<line x1="{PAD_LEFT}" y1="{PAD_TOP}" x2="{PAD_LEFT}" y2="{bottom}" stroke="#333"/>'
            f'<text class="x-label" x="{(PAD_LEFT + WIDTH) / 2:.0f}" y="{bottom + 34}" '
            f'font-size="12" text-anchor="middle">{escape(x_label)}</text>'
            f'<text class="y-label" x="14" y="{(PAD_TOP + bottom) / 2:.0f}" font-size="12" '
            f'text-anchor="middle" transform="rotate(-90 14 {(PAD_TOP + bottom) / 2:.0f})">'
            f"{escape(y_label)}</text>")


def _legend(entries: list[tuple[str, str]]) -> str:
    parts = []
    for n, (colour, label) in enumerate(entries):
        y = HEIGHT + 4 + n * LEGEND_ROW
        parts.append(f'<rect x="{PAD_LEFT}" y="{y}" width="10" height="10" fill="{colour}"/>'
                     f'<text x="{PAD_LEFT + 16}" y="{y + 9}" font-size="11">{escape(label)}</text>')
    return f'<g class="legend">{"".join(parts)}</g>'


def _frame(body: str, *, title: str, description: str, x_label: str, y_label: str,
           legend: list[tuple[str, str]]) -> str:
    height = HEIGHT + 8 + LEGEND_ROW * len(legend)
    return (f'<svg xmlns="http://www.w3.org/2000/svg" role="img" class="chart" '
            f'viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}">'
            f"<title>{escape(title)}</title><desc>{escape(description)}</desc>"
            f"{_axes(x_label, y_label)}{body}{_legend(legend)}</svg>")


def _scale(value: float, top: float) -> float:
    usable = HEIGHT - PAD_BOTTOM - PAD_TOP
    return 0 if top <= 0 else usable * value / top


def stacked_bars(*, categories: list[str], series: dict[str, list[int]], title: str,
                 labels: dict[str, str] | None = None, x_label: str = "",
                 y_label: str = "") -> str:
    """Bars per category (e.g. month) stacked by series (e.g. request type)."""
    labels = labels or {}
    totals = [sum(values[i] for values in series.values()) for i in range(len(categories))]
    top = max(totals, default=0) or 1
    slot = (WIDTH - PAD_LEFT - 10) / max(len(categories), 1)
    parts = [f'<text x="{PAD_LEFT - 4}" y="{PAD_TOP + 4}" font-size="11" text-anchor="end">'
             f"{top}</text>", f'<text x="{PAD_LEFT - 4}" y="{HEIGHT - PAD_BOTTOM}" '
             f'font-size="11" text-anchor="end">0</text>']
    said = []
    for i, category in enumerate(categories):
        x, y = PAD_LEFT + i * slot + slot * 0.15, HEIGHT - PAD_BOTTOM
        for name, values in series.items():
            h = _scale(values[i], top)
            if h:
                y -= h
                parts.append(f'<rect x="{x:.1f}" y="{y:.1f}" width="{slot * 0.7:.1f}" '
                             f'height="{h:.1f}" fill="{PALETTE.get(name, FALLBACK)}">'
                             f"<title>{escape(labels.get(name, name))} {escape(category)}: "
                             f"{values[i]}</title></rect>")
        parts.append(f'<text x="{x:.1f}" y="{HEIGHT - PAD_BOTTOM + 14}" font-size="11">'
                     f"{escape(category)}</text>")
        said.append(f"{category}: " + ", ".join(f"{labels.get(name, name)} {values[i]}"
                                                for name, values in series.items()))
    legend = [(PALETTE.get(name, FALLBACK), labels.get(name, name)) for name in series]
    return _frame("".join(parts), title=title, description="; ".join(said) or "-",
                  x_label=x_label, y_label=y_label, legend=legend)


def line_percent(*, categories: list[str], values: list[float | None], title: str,
                 x_label: str = "", y_label: str = "", series_label: str = "") -> str:
    """A rate per category in percent (0-100); gaps where there is no value."""
    slot = (WIDTH - PAD_LEFT - 10) / max(len(categories), 1)
    parts = [f'<text x="{PAD_LEFT - 4}" y="{PAD_TOP + 4}" font-size="11" text-anchor="end">'
             f"100%</text>", f'<text x="{PAD_LEFT - 4}" y="{HEIGHT - PAD_BOTTOM}" '
             f'font-size="11" text-anchor="end">0%</text>']
    points, said = [], []
    for i, (category, value) in enumerate(zip(categories, values, strict=True)):
        x = PAD_LEFT + i * slot + slot / 2
        parts.append(f'<text x="{x - 18:.1f}" y="{HEIGHT - PAD_BOTTOM + 14}" font-size="11">'
                     f"{escape(category)}</text>")
        said.append(f"{category}: " + ("-" if value is None else f"{value:.1f}%"))
        if value is None:
            continue
        y = HEIGHT - PAD_BOTTOM - _scale(value, 100)
        points.append(f"{x:.1f},{y:.1f}")
        parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="#2ca02c">'
                     f"<title>{escape(category)}: {value:.1f}%</title></circle>")
    if len(points) > 1:
        parts.insert(0, f'<polyline fill="none" stroke="#2ca02c" stroke-width="2" '
                        f'points="{" ".join(points)}"/>')
    return _frame("".join(parts), title=title, description="; ".join(said) or "-",
                  x_label=x_label, y_label=y_label, legend=[("#2ca02c", series_label or title)])


def histogram(*, buckets: list[str], counts: list[int], title: str, x_label: str = "",
              y_label: str = "") -> str:
    top = max(counts, default=0) or 1
    slot = (WIDTH - PAD_LEFT - 10) / max(len(buckets), 1)
    parts = [f'<text x="{PAD_LEFT - 4}" y="{PAD_TOP + 4}" font-size="11" text-anchor="end">'
             f"{top}</text>", f'<text x="{PAD_LEFT - 4}" y="{HEIGHT - PAD_BOTTOM}" '
             f'font-size="11" text-anchor="end">0</text>']
    for i, (bucket, count) in enumerate(zip(buckets, counts, strict=True)):
        x, h = PAD_LEFT + i * slot + slot * 0.1, _scale(count, top)
        parts.append(f'<rect x="{x:.1f}" y="{HEIGHT - PAD_BOTTOM - h:.1f}" '
                     f'width="{slot * 0.8:.1f}" height="{h:.1f}" fill="#1f77b4">'
                     f"<title>{escape(bucket)}: {count}</title></rect>"
                     f'<text x="{x:.1f}" y="{HEIGHT - PAD_BOTTOM + 14}" font-size="11">'
                     f"{escape(bucket)}</text>")
    description = "; ".join(f"{b}: {c}" for b, c in zip(buckets, counts, strict=True))
    return _frame("".join(parts), title=title, description=description, x_label=x_label,
                  y_label=y_label, legend=[("#1f77b4", y_label or title)])
