"""``linli scale generate --residents N --seed S``: a larger world for benchmarks.

``linli scale accounts --grids K --out FILE``: accounts the load test can log in with on
a generated world (``bench/locustfile.py``): the password is read from the environment
variable ``LINLI_SCALE_PASSWORD`` (never the command line), the usernames by journey are
written to FILE as JSON. Also runs the dashboard's nightly rebuild if it never ran.
"""

from __future__ import annotations

import dataclasses
import json
import os
import time
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from linli.demo.scale import figures_built, generate, load_test_accounts


class Command(BaseCommand):
    help = "生成规模测试数据(见 docs/scaling.md)。"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["generate", "accounts"])
        parser.add_argument("--residents", type=int, default=30_000)
        parser.add_argument("--seed", type=int, default=1)
        parser.add_argument("--requests-per-resident", type=float, default=1.0)
        parser.add_argument("--grids", type=int, default=40, help="accounts: 网格数")
        parser.add_argument("--out", help="accounts: 账号清单(JSON)写入的文件")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "accounts":
            self.accounts(options)
            return
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

    def accounts(self, options: dict[str, Any]) -> None:
        password = os.environ.get("LINLI_SCALE_PASSWORD", "")
        if len(password) < 12:
            raise CommandError("请在环境变量 LINLI_SCALE_PASSWORD 中给出至少 12 位的密码。")
        if not options["out"]:
            raise CommandError("请用 --out 指定账号清单文件。")
        if options["grids"] < 1:
            raise CommandError("网格数至少为 1。")
        try:
            accounts = load_test_accounts(grids=options["grids"], password=password)
        except ValueError as error:
            raise CommandError(str(error)) from error
        figures_built(log=self.stdout.write)
        out = Path(options["out"])
        out.write_text(json.dumps(dataclasses.asdict(accounts), ensure_ascii=False, indent=1))
        self.stdout.write(
            f"压力测试账号:居民 {len(accounts.residents)},网格员 {len(accounts.grid_workers)},"
            f"社工 {len(accounts.staff)},领导 {len(accounts.leaders)};清单在 {out}"
        )
