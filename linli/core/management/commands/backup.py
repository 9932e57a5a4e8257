from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from linli.core.backup import BackupError, backup_create


class Command(BaseCommand):
    help = (
        "备份数据库(SQLite 在线备份或 pg_dump)和 LINLI_DATA_DIR 中的加密密钥,"
        "生成一个 .tar.gz 文件(默认在 LINLI_DATA_DIR/backups/)。"
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--output", type=Path, help="备份文件路径")
        parser.add_argument(
            "--without-keys",
            action="store_true",
            help="不把密钥放进备份(密钥须另行保存,否则备份无法读取)",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = backup_create(
                output=options["output"], include_keys=not options["without_keys"]
            )
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        for warning in result.warnings:
            self.stderr.write(self.style.WARNING(warning))
        keys = "含密钥" if result.includes_keys else "不含密钥"
        self.stdout.write(f"已备份({result.engine},{keys}):{result.path}")
