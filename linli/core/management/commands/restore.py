from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from linli.core.backup import BackupError, backup_restore


class Command(BaseCommand):
    help = "从 linli backup 生成的文件恢复数据库和密钥;当前数据库已有数据时须加 --force。"

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("path", type=Path, help="备份文件")
        parser.add_argument("--force", action="store_true", help="覆盖已有数据的数据库")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            result = backup_restore(path=options["path"], force=options["force"])
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        for warning in result.warnings:
            self.stderr.write(self.style.WARNING(warning))
        if not result.counts_match:
            details = ", ".join(
                f"{label} {want}→{got}" for label, (want, got) in result.mismatched.items()
            )
            raise CommandError(f"恢复后的行数与备份不符:{details}")
        if result.unreadable_values:
            raise CommandError(f"恢复完成,但有 {result.unreadable_values} 个加密值无法解密。")
        self.stdout.write(f"已恢复({result.engine}),各表行数与备份一致,加密字段均可解密。")
