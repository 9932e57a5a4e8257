"""The ``linli`` command: Django's manage.py for this project."""

from __future__ import annotations

import os
import sys


def main() -> None:
    if sys.argv[1:] in (["triage"], ["triage", "read"]):
        # The batch reader needs no Django: it starts in a fraction of a second.
        from linli.triage.stream import main as triage_stream

        triage_stream()
        return
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "linli.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
