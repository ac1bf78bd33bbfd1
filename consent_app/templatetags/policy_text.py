"""The policy's full text as headings and paragraphs (issue 19: not one long paragraph).

The stored text has one paragraph per line; a short line that does not end a sentence is the
heading of the section below it (「個人情報の開示、訂正、削除」).
"""

from django import template

register = template.Library()

SENTENCE_ENDS = ("。", ".", "」", "）", ")", ":", "：", "!", "?", "！", "？")  # noqa: RUF001 - Japanese punctuation
HEADING_MAX_CHARS = 60


@register.filter
def policy_blocks(text: str) -> list[dict[str, str]]:
    blocks = []
    for line in (text or "").splitlines():
        line = line.strip()
        if not line:
            continue
        heading = len(line) <= HEADING_MAX_CHARS and not line.endswith(SENTENCE_ENDS)
        blocks.append({"kind": "heading" if heading else "paragraph", "text": line})
    return blocks
