"""Markdown from untrusted text (results files come from other machines):
prose escaped, code spans and fences that nothing inside can end. Both the
comparison report and a run's summary.md write through these."""
from __future__ import annotations

import html
import re
from typing import Any


_MARKDOWN_PUNCTUATION = str.maketrans({c: "\\" + c for c in "\\*_[]|~"})


def md(text: Any) -> str:
    """Text from a results file, inert in Markdown (GitHub's included): HTML
    as entities, Markdown's punctuation escaped, one line."""
    text = html.escape(" ".join(str(text).split()), quote=False).replace("`", "'")
    return text.translate(_MARKDOWN_PUNCTUATION)


def md_code(text: Any) -> str:
    """Text from a results file as a code span: nothing in it can end the span."""
    body = " ".join(str(text).split()).replace("`", "'").replace("|", "\\|")
    return f"`{body}`" if body else ""


def md_fence(text: str) -> list[str]:
    """A fenced block longer than any run of backticks in text."""
    longest = max((len(m) for m in re.findall(r"`+", text)), default=0)
    fence = "`" * max(3, longest + 1)
    return [fence, text, fence]
