"""The printable walk sheet of a turf: the script with its questions, then every door in walk order,
each voter with a box per canned result and answer boxes for the script's questions."""

from __future__ import annotations

from io import BytesIO
from typing import Any

from reportlab.lib import colors
from reportlab.lib.pagesizes import LETTER
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import inch
from reportlab.platypus import Flowable, KeepTogether, Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

from groundswell.field import scripts as script_rules
from groundswell.field.models import Result, Script, Turf
from groundswell.field.walk import shown_title, side_label, unit_label


class Box(Flowable):  # type: ignore[misc]  # reportlab ships no type hints
    """An empty square to tick with a pen (the base fonts have no ballot-box glyph)."""

    def __init__(self, size: float = 8) -> None:
        super().__init__()
        self.size = size

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        return self.size, self.size

    def draw(self) -> None:
        self.canv.setLineWidth(0.8)
        self.canv.rect(0, 0, self.size, self.size, stroke=1, fill=0)


RESULT_CODES = {
    Result.CONTACTED: "T", Result.NOT_HOME: "NH", Result.REFUSED: "R", Result.MOVED: "M", Result.DECEASED: "D",
    Result.WRONG_ADDRESS: "WA", Result.INACCESSIBLE: "I", Result.WRONG_NUMBER: "WN",
}  # fmt: skip


def _styles() -> dict[str, ParagraphStyle]:
    base = getSampleStyleSheet()
    return {
        "title": base["Title"],
        "h2": base["Heading2"],
        "body": base["BodyText"],
        "small": ParagraphStyle("small", parent=base["BodyText"], fontSize=8, leading=10),
        "door": ParagraphStyle("door", parent=base["Heading4"], spaceBefore=6, spaceAfter=2),
    }


def _esc(text: Any) -> str:
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _script_block(script: Script | None, results: list[str], st: dict[str, ParagraphStyle]) -> list[Any]:
    legend = ", ".join(f"{RESULT_CODES[Result(r)]} = {Result(r).label}" for r in [Result.CONTACTED.value, *results])
    if script is None:
        return [Paragraph("No script for this campaign yet.", st["body"]), Paragraph(f"Results: {legend}", st["small"])]
    out: list[Any] = [Paragraph(f"Script: {_esc(script.name)}", st["h2"])]
    if script.intro:
        out.append(Paragraph(_esc(script.intro).replace("\n", "<br/>"), st["body"]))
    for number, q in enumerate(script.questions, start=1):
        choices = "&nbsp;&nbsp;&nbsp;&nbsp;".join(f"[&nbsp;&nbsp;&nbsp;] {_esc(c)}" for c in script_rules.choices_of(q))
        out.append(Paragraph(f"<b>Q{number}. {_esc(q['label'])}</b><br/>{choices}", st["body"]))
    out.append(Paragraph(f"Results: {legend}", st["small"]))
    return out


def _door_table(door: dict[str, Any], codes: list[str], questions: list[dict[str, Any]], st: Any) -> Table:
    header = ["Voter", *codes, *[f"Q{n}" for n in range(1, len(questions) + 1)]]
    rows: list[list[Any]] = [header]
    for unit in door["units"]:
        for voter in unit["voters"]:
            apt = f"{_esc(unit_label(unit['apartment']))} · " if unit["apartment"] else ""
            who = f"{apt}{_esc(voter['name'])}" + (f" ({voter['age']}, {voter['party']})" if voter.get("age") else "")
            rows.append([Paragraph(who, st["small"]), *[Box() for _ in codes], *["" for _ in questions]])
    widths = [2.6 * inch] + [0.32 * inch] * len(codes) + [0.5 * inch] * len(questions)
    table = Table(rows, colWidths=widths, repeatRows=1)
    table.setStyle(
        TableStyle([
            ("FONTSIZE", (0, 0), (-1, -1), 8),
            ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
            ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#e8eef5")),
            ("ALIGN", (1, 0), (-1, -1), "CENTER"),
            ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
        ])
    )  # fmt: skip
    return table


def walk_sheet_pdf(turf: Turf, script: Script | None) -> bytes:
    st = _styles()
    results = [Result.CONTACTED.value, *turf.campaign.results]
    codes = [RESULT_CODES[Result(r)] for r in results]
    questions = list(script.questions) if script else []
    story: list[Any] = [
        Paragraph(_esc(turf.name), st["title"]),
        Paragraph(
            f"{_esc(turf.campaign.name)} · precinct {_esc(turf.precinct)} · {turf.door_count} doors, "
            f"{turf.voter_count} voters · in walk order",
            st["body"],
        ),
        Spacer(1, 6),
        *_script_block(script, turf.campaign.results, st),
        Spacer(1, 8),
    ]
    for number, door in enumerate(turf.doors, start=1):
        side = side_label(door)
        side_text = f" <font size=8>({side})</font>" if side else ""
        title = Paragraph(f"{number}. {_esc(shown_title(door))}{side_text}", st["door"])
        story.append(KeepTogether([title, _door_table(door, codes, questions, st)]))
    buffer = BytesIO()
    doc = SimpleDocTemplate(
        buffer, pagesize=LETTER, leftMargin=0.5 * inch, rightMargin=0.5 * inch, topMargin=0.5 * inch,
        bottomMargin=0.5 * inch, title=f"Walk sheet: {turf.name}", author="Groundswell",
    )  # fmt: skip
    doc.build(story)
    return buffer.getvalue()
