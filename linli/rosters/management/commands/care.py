"""``linli care plan --week YYYY-MM-DD``: build a week's visiting roster from the care plans."""

from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError

from linli.areas.models import Area, AreaKind
from linli.core.dates import parse_query_date
from linli.rosters.models import RosterGap
from linli.rosters.services import next_week_start, roster_generate, week_start_of


class Command(BaseCommand):
    help = "Care tasks. `plan`: assign a week's home visits to volunteers and list the gaps."

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        plan = sub.add_parser("plan", help="Build the visiting roster of one week.")
        plan.add_argument(
            "--week",
            nargs="?",
            const="",
            default="",
            help="Any day of the week to plan (YYYY-MM-DD); next week when omitted.",
        )
        plan.add_argument("--community", default="", help="Community code (default: all).")
        plan.add_argument("--max-load", type=int, default=None, help="Visits per volunteer.")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "plan":
            self.plan(options)

    def plan(self, options: dict[str, Any]) -> None:
        try:
            week = (
                week_start_of(parse_query_date(options["week"]))
                if options["week"]
                else next_week_start()
            )
        except ValidationError as error:
            raise CommandError(f"--week: {' '.join(error.messages)}") from error
        communities = Area.objects.filter(kind=AreaKind.COMMUNITY).order_by("path")
        if options["community"]:
            communities = communities.filter(code=options["community"])
            if not communities.exists():
                raise CommandError(f"No community with code {options['community']}")
        try:
            result = roster_generate(
                actor=None,
                week_start=week,
                communities=list(communities),
                max_load=options["max_load"],
            )
        except ValidationError as error:
            raise CommandError(" ".join(error.messages)) from error
        self.stdout.write(
            f"{week:%Y-%m-%d}: {result.assignments} visits assigned, "
            f"{result.gaps} people not fully covered ({result.missing_visits} visits missing)"
        )
        for gap in RosterGap.objects.filter(week_start=week).select_related("resident"):
            self.stdout.write(f"  {gap.resident.name}: {gap.missing} × {gap.reason}")
