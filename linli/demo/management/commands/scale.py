"""``linli scale generate --residents N --seed S``: a larger world for benchmarks."""

from __future__ import annotations

import time
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from linli.demo.scale import generate


class Command(BaseCommand):
    help = "生成规模测试数据(见 docs/scaling.md)。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["generate"])
        parser.add_argument("--residents", type=int, default=30_000)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--requests-per-resident", type=float, default=1.0)

    def handle(self, *args: Any, **options: Any) -> None:
        if options["residents"] < 1:
            raise CommandError("居民人数至少为 1。")
        started = time.monotonic()
        report = generate(
            residents=options["residents"],
            seed=options["seed"],
            requests_per_resident=options["requests_per_resident"],
            log=self.stdout.write,
        )
        steps = "、".join(f"{name} {seconds:.0f} 秒" for name, seconds in report.timings.items())
        self.stdout.write(f"各步用时:{steps}")
        self.stdout.write(
            f"完成:{report.residents} 居民,{report.requests} 诉求,"
            f"{report.events} 条时间线,用时 {time.monotonic() - started:.1f} 秒"
        )
