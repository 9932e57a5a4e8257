from __future__ import annotations

import datetime as dt
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from linli.core.audit import RetentionError, audit_prune, audit_verify, retention_days


class Command(BaseCommand):
    help = (
        "审计记录:verify 校验哈希链(发现篡改时以非零状态退出);"
        "prune --before 日期 清理该日期之前的记录(永不清理保留期内的记录)。"
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("verify", help="从头到尾校验哈希链,报告第一条被破坏的记录")
        prune = sub.add_parser("prune", help="清理早于某日期的记录")
        prune.add_argument("--before", required=True, help="日期,YYYY-MM-DD(当地时间零点)")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "verify":
            result = audit_verify()
            if not result.ok:
                where = f"第 #{result.broken_sequence} 条" if result.broken_sequence else "链"
                raise CommandError(
                    f"审计链校验失败:{where}(id={result.broken_id}):{result.reason}。"
                    f"此前 {result.checked} 条完好。"
                )
            self.stdout.write(f"审计链完好:已校验 {result.checked} 条记录。")
            return
        try:
            day = dt.date.fromisoformat(options["before"])
        except ValueError as exc:
            raise CommandError("--before 应为 YYYY-MM-DD 格式的日期。") from exc
        before = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
        try:
            pruned = audit_prune(before=before)
        except RetentionError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(
            f"已清理 {pruned.deleted} 条记录(保留期 {retention_days()} 天);"
            f"锚点 #{pruned.anchor_sequence} {pruned.anchor_hash[:12]}…"
        )
