from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from linli.core.catalogue import catalogue_path, catalogue_problems, compile_catalogue


class Command(BaseCommand):
    help = (
        "英文翻译目录:check 列出未翻译或占位符不一致的条目;compile 用纯 Python 生成 django.mo"
        "(无需 GNU gettext)。新增文字先运行 django-admin makemessages -l en,再翻译、compile。"
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("action", choices=["check", "compile"])

    def handle(self, *args: Any, **options: Any) -> None:
        po_file = catalogue_path()
        problems = catalogue_problems(po_file)
        for problem in problems:
            self.stdout.write(problem)
        if options["action"] == "compile":
            mo_file = compile_catalogue(po_file)
            self.stdout.write(f"已生成 {mo_file}")
        if problems:
            raise CommandError(f"{len(problems)} 条翻译有问题。")
