"""The compare report's model (compare.build_model) rendered: Markdown for a
CI summary or a pull request, and one offline HTML page through jinja2."""
from __future__ import annotations

import html as html_mod
from pathlib import Path
from typing import Any

from .markdown import md, md_code, md_fence

TEMPLATES = Path(__file__).parent / "templates"


def render_markdown(model: dict[str, Any]) -> str:
    cols = model["columns"]
    lines = [f"**{md(model['headline'])}**", "", "# sockspec: stacks compared", ""]
    if model["since"]["pointer"]:
        lines += [md(model["since"]["pointer"]), ""]
    lines += ["## Differences", ""]
    if model["differing"]:
        lines += [f"- {md_code(r['sentence']['what'])}: {md(r['sentence']['says'])}: {md(r['sentence']['seen'])}"
                  for r in model["differing"]]
    else:
        lines.append("None: every check judged on more than one stack has the same outcome and, context "
                     "taken out, the same value.")
    lines += ["", "## What changed, and since when", "", *_since_markdown(model["since"])]
    lines += ["", "## Not observed", ""]
    for u in model["unobservable"]:
        lines.append(f"### {md(u['column'])}")
        lines.append("")
        lines += [f"- unobservable: {md(c)}" for c in u["checks"]]
        lines += [f"- {md_code(b['name'])}: {md('; '.join(b['reasons']))}" for b in u["behaviours"]]
        lines += [f"- {md(x)}" for x in u["not_reached"]]
        if not u["checks"] and not u["behaviours"] and not u["not_reached"]:
            lines.append("- nothing: every check was judged")
        if u["timing"]:
            lines += ["", "Timing-dependent values (not compared; their distributions over the repeats):", ""]
            lines += [f"- {md(x)}" for x in u["timing"]]
        lines.append("")
    lines += ["## The seed's claims", "",
              "| claim | the seed says | " + " | ".join(md(c) for c in cols) + " |",
              "|---|---|" + "---|" * len(cols)]
    for cl in model["claims"]:
        cells = []
        for cell in cl["cells"]:
            detail = "; ".join(cell["details"])
            cells.append(f"**{md(cell['verdict'])}**" + (f": {md(detail[:300])}" if detail else ""))
        lines.append(f"| {md(cl['id'])}{' ≠' if cl['differs'] else ''} | {md(cl['says'])} | " + " | ".join(cells) + " |")
    lines += ["", "## Checks x stacks", "", "Grouped by behaviour; ≠ marks a check that differs.", ""]
    for b in model["behaviours"]:
        lines += [f"### {md(b['name'])}{' ≠' if b['differs'] else ''}", "",
                  f"{md(b['title'])}. Claims: {md(', '.join(b['claims']) or '-')}. "
                  f"Sources: {md('; '.join(b['sources']))}.", "",
                  "| test | check | " + " | ".join(md(c) for c in cols) + " |", "|---|---|" + "---|" * len(cols)]
        for r in b["rows"]:
            cells = []
            for cell in r["cells"]:
                text = f"**{md(cell['outcome'])}**"
                if cell["seen"]:
                    text += f" {md_code(cell.get('distribution') or cell['seen'])}"
                elif cell["reason"]:
                    text += f" {md(cell['reason'][:120])}"
                cells.append(text)
            claim = f" ({md(r['claim'])}{', against' if r['refutes'] else ''})" if r["claim"] else ""
            lines.append(f"| {'≠ ' if r['differs'] else ''}{md_code(r['test'])} | {md_code(r['check'])}: "
                         f"{md(r['says'])}{claim} | " + " | ".join(cells) + " |")
        lines.append("")
    lines += ["## Environments", ""]
    for e in model["environments"]:
        s = e["summary"]
        lines += [f"### {md(e['label'])}", "",
                  f"- results: {md_code(e['directory'])}; {s['pass']} passed, {s['fail']} failed, {s['skip']} skipped, "
                  f"{s['error']} errors, {s.get('varying', 0)} varying",
                  f"- target {md_code(e['target'])}, kernel {md_code(e['kernel_release'])} "
                  f"({md_code(e['kernel_version'])}), {md(e['machine'])}"]
        lines += [f"- {md(k)}: {md_code(v)}" for k, v in e["tools"].items()]
        lines += [f"- {md(k)}: {md_code(v)}" for k, v in e["extra"].items()]
        if e["sysctls"]:
            lines.append("- sysctls: " + ", ".join(md_code(f"{k}={v}") for k, v in e["sysctls"].items()))
        lines.append("")
    lines += ["## Ladders", "", "Each behaviour's first probe run on each stack: packets and syscalls on one time axis.", ""]
    for b in model["behaviours"]:
        lines += [f"### {md(b['name'])}{' ≠' if b['differs'] else ''}", ""]
        for lad in b["ladders"]:
            summary = html_mod.escape(f"{lad['test']} on {lad['column']} ({lad['outcome']})"
                                      + (f": {'; '.join(lad['notes'])}" if lad["notes"] else ""))
            summary = summary.replace("[", "&#91;").replace("]", "&#93;")  # an HTML block: entities, not escapes
            lines += [f"<details><summary>{summary}</summary>", "", *md_fence(lad["text"].rstrip("\n")), "",
                      "</details>", ""]
    return "\n".join(lines) + "\n"


def _since_markdown(since: dict[str, Any]) -> list[str]:
    order = ", ".join(f"{md(s['version'])} ({md(s['label'])})" for s in since["order"])
    lines = [f"Linux in kernel version order: {order or 'none'}."
             + "".join(f" Not in that order: {md(o['label'])} ({md(o['why'])})." for o in since["outside"])]
    if since["empty"]:
        return lines + ["", since["empty"]]
    lines += ["", f"{since['checks']} checks change along the Linux versions, {since['more_than_once']} of them more "
              f"than once. {since['reading']}"]
    for group in since["groups"]:
        n = len(group["checks"])
        lines += ["", f"### First changed at {md(group['since'])} ({n} check{'s' if n != 1 else ''})", ""]
        for h in group["checks"]:
            parts = []
            for i, st in enumerate(h["stretches"]):
                versions = ", ".join(md(v) for v in st["versions"]) if i == 0 else f"since {md(st['versions'][0])}"
                versions += f", through {md(st['through'])}" if st["through"] else ""
                gap = f" ({', '.join(md(v) for v in st['unjudged_before'])} not judged)" if st["unjudged_before"] else ""
                again = f" (as on {md(st['as_on'])})" if st["as_on"] else ""
                parts.append(f"**{versions}**{gap}: {md(st['value'])}{again}")
            unjudged = "; ".join(f"{md(u['version'])}: {md(u['why'])}" for u in h["unjudged"])
            lines.append(f"- {md_code(h['test'] + ' · ' + h['check'])}: {md(h['says'])}: " + " → ".join(parts)
                         + (f"; not judged on {unjudged}" if unjudged else ""))
    return lines


def render_html(model: dict[str, Any]) -> str:
    import jinja2

    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(TEMPLATES)), autoescape=True,
                             trim_blocks=True, lstrip_blocks=True, undefined=jinja2.StrictUndefined)
    return env.get_template("report.html.j2").render(**model)
