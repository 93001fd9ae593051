"""A certificate as a one-page PDF, made on the server with fpdf2 and the DejaVu Sans font shipped
in app/static/fonts (with its licence), so every accent of a name prints right ("Hélène
Lefèvre") on any machine. It says what the public page says, and gives that page's address."""

from collections.abc import Mapping
from pathlib import Path

from app import formats
from app.models import Certificate

FONTS = Path(__file__).resolve().parents[1] / "static" / "fonts"
Colour = tuple[int, int, int]
INK: Colour = (33, 37, 41)
MUTED: Colour = (100, 106, 115)
ACCENT: Colour = (31, 94, 140)
BAD: Colour = (160, 40, 40)


def render(certificate: Certificate, link: str, valid: bool, words: Mapping[str, str]) -> bytes:
    """The PDF's bytes. `link` is the public page's full address; `valid` whether the
    certificate is valid today; `words` the page's texts in the reader's language (a dict)."""
    from fpdf import FPDF  # here, not at the top: fpdf2 and its fonts cost a worker 20 MB at start-up

    pdf = FPDF(orientation="landscape", format="A4")
    pdf.set_title(f"{words['title']}: {certificate.stage_title}")
    pdf.set_author("Petits Pas")
    pdf.set_creator("Petits Pas")
    pdf.add_font("DejaVu", "", str(FONTS / "DejaVuSans.ttf"))
    pdf.add_font("DejaVu", "B", str(FONTS / "DejaVuSans-Bold.ttf"))
    pdf.set_auto_page_break(False)
    pdf.add_page()
    width = pdf.w - 40
    pdf.set_draw_color(*ACCENT)
    pdf.set_line_width(1.2)
    pdf.rect(12, 12, pdf.w - 24, pdf.h - 24)
    pdf.set_line_width(0.3)
    pdf.rect(15, 15, pdf.w - 30, pdf.h - 30)

    def line(text: str, size: float, style: str = "", color: Colour = INK, gap: float = 4) -> None:
        pdf.set_font("DejaVu", style, size)
        pdf.set_text_color(*color)
        pdf.set_x(20)
        pdf.multi_cell(width, size * 0.5, text, align="C")
        pdf.ln(gap)

    pdf.set_y(32)
    line("Petits Pas", 14, "B", ACCENT, 10)
    line(words["title"], 30, "B", INK, 8)
    line(words["awarded"], 13, "", MUTED, 4)
    line(certificate.holder_name, 28, "B", INK, 6)
    line(words["for_stage"], 13, "", MUTED, 3)
    line(certificate.stage_title, 20, "B", ACCENT, 2)
    line(certificate.course_title, 12, "", MUTED, 10)
    line(
        f"{words['issued']} {formats.day(certificate.issued_on)}    ·    "
        f"{words['expires']} {formats.day(certificate.expires_on)}",
        12,
        "",
        INK,
        3,
    )
    if certificate.score is not None:
        line(f"{words['score']} {certificate.score}%", 12, "", INK, 3)
    line(words["valid"] if valid else words["expired"], 14, "B", ACCENT if valid else BAD, 10)
    line(words["verify"], 10, "", MUTED, 1)
    line(link, 10, "", ACCENT, 0)
    return bytes(pdf.output())
