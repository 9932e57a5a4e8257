"""``linli report monthly --area CODE --month 2026-11`` (or ``--quarter 2026-Q4``,
``--year 2026``): write the area's work report as .docx and PDF.

The command reads every record of the area (it stands for the whole system, like the
other administrative commands); each file written is audited.
"""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from linli.accounts.models import User
from linli.areas.models import Area, Grid
from linli.reports.content import build_report
from linli.reports.periods import MONTH, QUARTER, YEAR, Period, parse_period
from linli.reports.render import report_docx, report_pdf, report_xlsx
from linli.reports.selectors import REPORT_AREA_KINDS, place_by_key
from linli.reports.services import report_generated

WRITERS = {"docx": report_docx, "pdf": report_pdf, "xlsx": report_xlsx}


class Command(BaseCommand):
    help = "Work reports. `monthly`: write an area's report (.docx and PDF) for a period."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        monthly = sub.add_parser(
            "monthly", help="Write the report of an area for a month, quarter or year."
        )
        monthly.add_argument(
            "--area",
            required=True,
            help="Code of a county, town, community or compound, or grid:<code> for a grid "
            "(a bare code names the area with it, else the grid).",
        )
        which = monthly.add_mutually_exclusive_group(required=True)
        which.add_argument("--month", help="YYYY-MM")
        which.add_argument("--quarter", help="YYYY-Qn")
        which.add_argument("--year", help="YYYY")
        monthly.add_argument("--output", default=".", help="Directory for the files.")
        monthly.add_argument(
            "--format",
            choices=[*WRITERS, "all"],
            default="all",
            help="docx, pdf, xlsx or all (docx and pdf and xlsx).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "monthly":
            self.monthly(options)

    def monthly(self, options: dict[str, Any]) -> None:
        period = self.period(options)
        place = place_by_key(
            options["area"],
            Area.objects.filter(kind__in=REPORT_AREA_KINDS),
            Grid.objects.select_related("community"),
        )
        if place is None:
            raise CommandError(
                f"No county, town, community, compound or grid with code {options['area']}"
            )
        area = place.community if isinstance(place, Grid) else place
        # The command reads as the system: every record of the area.
        reader = User(username="linli-report", is_superuser=True)
        content = build_report(reader, place, period)
        output = Path(options["output"])
        output.mkdir(parents=True, exist_ok=True)
        formats = list(WRITERS) if options["format"] == "all" else [options["format"]]
        for fmt in formats:
            path = output / f"{place.code}-{period.key}.{fmt}"
            path.write_bytes(WRITERS[fmt](content))
            report_generated(
                actor=None,
                report=None,
                area=area,
                fmt=fmt,
                note=f"{place.code} {period.key} (command)",
            )
            self.stdout.write(str(path))
        self.stdout.write(content.sections[0].text)

    def period(self, options: dict[str, Any]) -> Period:
        for kind, option in ((MONTH, "month"), (QUARTER, "quarter"), (YEAR, "year")):
            value = options.get(option)
            if not value:
                continue
            try:
                period = parse_period(value)
            except ValidationError as error:
                raise CommandError(f"--{option}: {' '.join(error.messages)}") from error
            if period.kind != kind:
                raise CommandError(f"--{option}: {value} is not a {kind}")
            return period
        raise CommandError("One of --month, --quarter, --year is required")
