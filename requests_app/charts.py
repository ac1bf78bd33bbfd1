"""Server-rendered SVG charts for the compliance report (P23): no JavaScript, no CDN.

Each function takes plain numbers and returns an <svg> string; labels are escaped.
"""

from django.utils.html import escape

WIDTH, HEIGHT, PAD_LEFT, PAD_BOTTOM, PAD_TOP = 640, 240, 40, 40, 20
PALETTE = {"disclosure": "#1f77b4", "correction": "#ff7f0e", "deletion": "#d62728",
           "inquiry": "#2ca02c"}
FALLBACK = "#7f7f7f"


def _frame(body: str, title: str, legend: str = "") -> str:
    return (f'<svg xmlns="http://www.w3.org/2000/svg" role="img" class="chart" '
            f'viewBox="0 0 {WIDTH} {HEIGHT + 30}" width="{WIDTH}" height="{HEIGHT + 30}">'
            f"<title>{escape(title)}</title>"
            f'<line x1="{PAD_LEFT}" y1="{HEIGHT - PAD_BOTTOM}" x2="{WIDTH - 10}" '
            f'y2="{HEIGHT - PAD_BOTTOM}" stroke="#333"/>{body}{legend}</svg>')


def _scale(value: float, top: float) -> float:
    usable = HEIGHT - PAD_BOTTOM - PAD_TOP
    return 0 if top <= 0 else usable * value / top


def stacked_bars(*, categories: list[str], series: dict[str, list[int]], title: str,
                 labels: dict[str, str] | None = None) -> str:
    """Bars per category (e.g. month) stacked by series (e.g. request type)."""
    labels = labels or {}
    totals = [sum(values[i] for values in series.values()) for i in range(len(categories))]
    top = max(totals, default=0) or 1
    slot = (WIDTH - PAD_LEFT - 10) / max(len(categories), 1)
    parts = [f'<text x="4" y="{PAD_TOP}" font-size="11">{top}</text>']
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
    legend = "".join(
        f'<rect x="{PAD_LEFT + n * 150}" y="{HEIGHT + 8}" width="10" height="10" '
        f'fill="{PALETTE.get(name, FALLBACK)}"/><text x="{PAD_LEFT + n * 150 + 14}" '
        f'y="{HEIGHT + 17}" font-size="11">{escape(labels.get(name, name))}</text>'
        for n, name in enumerate(series))
    return _frame("".join(parts), title, legend)


def line_percent(*, categories: list[str], values: list[float | None], title: str) -> str:
    """A rate per category in percent (0-100); gaps where there is no value."""
    slot = (WIDTH - PAD_LEFT - 10) / max(len(categories), 1)
    parts = [f'<text x="4" y="{PAD_TOP + 4}" font-size="11">100%</text>',
             f'<text x="4" y="{HEIGHT - PAD_BOTTOM}" font-size="11">0%</text>']
    points = []
    for i, (category, value) in enumerate(zip(categories, values, strict=True)):
        x = PAD_LEFT + i * slot + slot / 2
        parts.append(f'<text x="{x - 18:.1f}" y="{HEIGHT - PAD_BOTTOM + 14}" font-size="11">'
                     f"{escape(category)}</text>")
        if value is None:
            continue
        y = HEIGHT - PAD_BOTTOM - _scale(value, 100)
        points.append(f"{x:.1f},{y:.1f}")
        parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="#2ca02c">'
                     f"<title>{escape(category)}: {value:.1f}%</title></circle>")
    if len(points) > 1:
        parts.insert(0, f'<polyline fill="none" stroke="#2ca02c" stroke-width="2" '
                        f'points="{" ".join(points)}"/>')
    return _frame("".join(parts), title)


def histogram(*, buckets: list[str], counts: list[int], title: str) -> str:
    top = max(counts, default=0) or 1
    slot = (WIDTH - PAD_LEFT - 10) / max(len(buckets), 1)
    parts = [f'<text x="4" y="{PAD_TOP}" font-size="11">{top}</text>']
    for i, (bucket, count) in enumerate(zip(buckets, counts, strict=True)):
        x, h = PAD_LEFT + i * slot + slot * 0.1, _scale(count, top)
        parts.append(f'<rect x="{x:.1f}" y="{HEIGHT - PAD_BOTTOM - h:.1f}" '
                     f'width="{slot * 0.8:.1f}" height="{h:.1f}" fill="#1f77b4">'
                     f"<title>{escape(bucket)}: {count}</title></rect>"
                     f'<text x="{x:.1f}" y="{HEIGHT - PAD_BOTTOM + 14}" font-size="11">'
                     f"{escape(bucket)}</text>")
    return _frame("".join(parts), title)
