"""Printing results, and `vecha results`: an HTML report and a PNG chart from a record."""

from __future__ import annotations

import html
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.table import Table

from vecha.cli.common import CliError, console, write_out
from vecha.election.counting import count_lists
from vecha.election.definition import Definition, GradedQuestion, ListQuestion, RankedQuestion
from vecha.election.preferential import explain_json
from vecha.election.seats import Lot

__all__ = ["register", "print_result", "render_report", "explanations"]


def register(app: typer.Typer) -> None:
    app.command("results")(results)


def _rounds_table(q: dict[str, Any]) -> Table:
    """A ranked or graded count, round by round (spec §9.7.1)."""
    invalid = f", {q['invalid']} invalid" if q.get("invalid") else ""
    table = Table(
        title=f"{q['id']} ({q['method']}): {q['ballots']} ballots, {q['blank']} blank{invalid}; "
        f"elected: {', '.join(q['elected'])}"
    )
    table.add_column("round", justify="right")
    table.add_column("totals")
    table.add_column("then")
    for r in q["rounds"]:
        tie = {"lot": " (tie: the lot)", "earlier-round": " (tie: an earlier round)"}.get(r.get("tie", ""), "")
        table.add_row(
            str(r["round"]),
            ", ".join(f"{c} {v}" for c, v in r["totals"].items()),
            f"{r['action']}: {', '.join(r['candidates'])}{tie}",
        )
    return table


def print_result(result: dict[str, Any], definition: Definition) -> None:
    """The result as tables, options in the definition's order (a result's JSON sorts them)."""
    for q, mq in zip(result["questions"], definition.questions, strict=True):
        if "rounds" in q:
            console.print(_rounds_table(q))
        elif "allocation" in q:
            table = Table(title=f"{q['id']}: {result['counted']} ballots counted, {q['blank']} blank")
            for col, just in [("list", "left"), ("votes", "right"), ("seats", "right"), ("elected", "left")]:
                table.add_column(col, justify=just)  # type: ignore[arg-type]
            for o in q["lists"]:  # definition order (the JSON objects' keys are sorted)
                name, votes = o["list"], q["list_votes"][o["list"]]
                elected = ", ".join(e["name"] for e in o["elected"]) or "—"
                if o["vacant"]:
                    elected += f" (+{o['vacant']} vacant)"
                passed = name in q["allocation"]["passed"]
                table.add_row(
                    name if passed else f"{name} (below threshold)",
                    str(votes),
                    str(q["allocation"]["seats"][name]),
                    elected,
                )
            console.print(table)
        else:
            blank = "" if q.get("blank") is None else f", {q['blank']} blank"
            table = Table(title=f"{q['id']}: {result['counted']} ballots counted{blank}")
            table.add_column("option")
            table.add_column("votes", justify="right")
            for option in mq.option_list:
                table.add_row(option.label, str(q["counts"][option.label]))
            console.print(table)


def explanations(result: dict[str, Any], definition: Definition) -> dict[str, list[str]]:
    """Each list question's allocation explained (quotients or quotas and remainders, seat order),
    recomputed from the published counts with the same rules and lot."""
    out = {}
    lot = Lot(bytes.fromhex(result["lot_seed"]))
    for q, rq in zip(definition.questions, result["questions"], strict=True):
        if isinstance(q, ListQuestion):
            # the list votes as published (in a mixed election with several preferences a
            # ballot marks several options but votes for its list once)
            prefs = {e.name: {c: rq["counts"][f"{e.name} / {c}"] for c in e.candidates} for e in q.lists}
            out[q.id] = count_lists(q, dict(rq["list_votes"]), prefs, rq["blank"], lot).allocation.explain()
        elif isinstance(q, RankedQuestion | GradedQuestion):
            out[q.id] = explain_json(rq)
    return out


def render_report(result: dict[str, Any], definition: Definition, out: Path) -> list[Path]:
    """Write result.json, results.html (self-contained, no external assets), seats.png and
    the explanation of each allocation."""
    election = definition.id
    explained = explanations(result, definition)
    import matplotlib

    matplotlib.use("Agg")
    import base64
    import io

    import matplotlib.pyplot as plt

    out.mkdir(parents=True, exist_ok=True)
    written = []
    write_out(out / "result.json", result)
    written.append(out / "result.json")
    sections = []
    for q in result["questions"]:
        if "rounds" in q:
            sections.append(_rounds_section(q, explained[q["id"]]))
            (out / f"explain-{q['id']}.txt").write_text("\n".join(explained[q["id"]]) + "\n", encoding="utf-8")
            written.append(out / f"explain-{q['id']}.txt")
        elif "allocation" in q:
            won = sorted((o for o in q["lists"] if o["seats"] > 0), key=lambda o: -o["seats"])[::-1]
            names = [o["list"] for o in won]
            filled = [o["seats"] - o["vacant"] for o in won]
            vacant = [o["vacant"] for o in won]
            fig, ax = plt.subplots(figsize=(8, 0.45 * max(len(names), 3) + 1))
            ax.barh(names, filled, color="#8c1c13", label="elected")
            ax.barh(
                names,
                vacant,
                left=filled,
                color="#ffffff",
                edgecolor="#8c1c13",
                hatch="//",
                label="won but vacant (too few candidates)",
            )
            for i, o in enumerate(won):
                ax.text(o["seats"] + 0.3, i, str(o["seats"]), va="center")
            ax.set_xlabel("seats")
            if any(vacant):
                ax.legend(loc="lower right")
            ax.set_title(f"{q['id']}: {q['allocation']['rules']['seats']} seats")
            fig.tight_layout()
            buf = io.BytesIO()
            fig.savefig(buf, format="png", dpi=120)
            plt.close(fig)
            (out / "seats.png").write_bytes(buf.getvalue())
            written.append(out / "seats.png")
            img = base64.b64encode(buf.getvalue()).decode()
            rows = "".join(
                f"<tr><td>{html.escape(o['list'])}</td><td>{q['list_votes'][o['list']]}</td><td>{o['seats']}</td>"
                f"<td>{html.escape(', '.join(e['name'] for e in o['elected']))}"
                f"{' (+' + str(o['vacant']) + ' vacant)' if o['vacant'] else ''}</td></tr>"
                for o in q["lists"]
            )
            (out / f"explain-{q['id']}.txt").write_text("\n".join(explained[q["id"]]) + "\n", encoding="utf-8")
            written.append(out / f"explain-{q['id']}.txt")
            how = html.escape("\n".join(explained[q["id"]]))
            sections.append(
                f"<section><h2>{html.escape(q['id'])}</h2><p>{result['counted']} ballots counted, "
                f"{q['blank']} blank. Rules: {html.escape(str(q['allocation']['rules']))}</p>"
                f"<img alt='seats per list' src='data:image/png;base64,{img}'>"
                f"<table><thead><tr><th>list</th><th>votes</th><th>seats</th><th>elected</th></tr></thead>"
                f"<tbody>{rows}</tbody></table>"
                f"<details><summary>How the seats were allocated</summary><pre>{how}</pre></details></section>"
            )
        else:
            mq = next(m for m in definition.questions if m.id == q["id"])
            rows = "".join(
                f"<tr><td>{html.escape(o.label)}</td><td>{q['counts'][o.label]}</td></tr>" for o in mq.option_list
            )
            blank = "" if q.get("blank") is None else f"<p>{q['blank']} blank ballots.</p>"
            sections.append(
                f"<section><h2>{html.escape(q['id'])}</h2><table><thead><tr><th>option</th>"
                f"<th>votes</th></tr></thead><tbody>{rows}</tbody></table>{blank}</section>"
            )
    page = (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>Results: {html.escape(election)}</title><style>"
        "body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 1rem;color:#111}"
        "table{border-collapse:collapse;width:100%}td,th{border-bottom:1px solid #ccc;padding:.3rem;text-align:left}"
        "img{max-width:100%}</style></head><body>"
        f"<h1>Results: {html.escape(election)}</h1>{''.join(sections)}"
        "<p>Verify this result yourself from the election record: <code>vecha verify RECORD</code>.</p>"
        "</body></html>"
    )
    (out / "results.html").write_text(page, encoding="utf-8")
    written.append(out / "results.html")
    return written


_TIES = {"lot": " (tie broken by the lot)", "earlier-round": " (tie broken by an earlier round)"}


def _rounds_section(q: dict[str, Any], explained: list[str]) -> str:
    rows = "".join(
        f"<tr><td>{r['round']}</td><td>{html.escape(', '.join(f'{c} {v}' for c, v in r['totals'].items()))}</td>"
        f"<td>{html.escape(r['action'] + ': ' + ', '.join(r['candidates']) + _TIES.get(r.get('tie', ''), ''))}"
        "</td></tr>"
        for r in q["rounds"]
    )
    invalid = f", {q['invalid']} invalid" if q.get("invalid") else ""
    return (
        f"<section><h2>{html.escape(q['id'])}</h2><p>{html.escape(q['method'])}: {q['ballots']} ballots counted, "
        f"{q['blank']} blank{invalid}. Elected: <strong>{html.escape(', '.join(q['elected']))}</strong>.</p>"
        "<table><thead><tr><th>round</th><th>totals</th><th>then</th></tr></thead>"
        f"<tbody>{rows}</tbody></table>"
        f"<details><summary>The count, round by round</summary><pre>{html.escape(chr(10).join(explained))}</pre>"
        "</details></section>"
    )


def results(
    record: Annotated[Path, typer.Argument(help="an exported election record")],
    out: Annotated[Path, typer.Option(help="directory for results.html, seats.png, result.json")],
) -> None:
    """Verify a record, then write its results as an HTML page, a PNG chart and JSON."""
    from vecha.verify.checks import verify_record_ledger

    ledger = verify_record_ledger(record)
    if ledger.result is None:
        raise CliError("the record has no published result yet")
    definition = ledger.defined().definition
    for p in render_report(ledger.result, definition, out):
        console.print(f"wrote {p}")
    print_result(ledger.result, definition)
