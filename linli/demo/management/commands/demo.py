from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError

from linli.demo.serve import LOOPBACK, serve
from linli.demo.world import DEMO_PASSWORD, build_world, world_exists

DEMO_ACCOUNTS = [
    ("admin", "系统管理员"),
    ("staff", "阳泉曲社区工作者"),
    ("chenzhongping", "陈中平,第1网格(含向阳花园3号楼)网格员"),
    ("gridworker2", "第2网格网格员"),
    ("volunteer", "党员志愿者,将走访王大娘"),
    ("resident", "向阳花园3号楼居民"),
    ("cadre", "包片领导(向阳花园)"),
    ("leader", "阳泉曲镇领导,只读"),
]


class Command(BaseCommand):
    help = "建立演示数据(阳泉曲社区等)并在本机启动邻里;再次运行会沿用已有数据。"

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--port", type=int, default=8000, help="监听端口(默认 8000)")
        parser.add_argument(
            "--bind",
            default=LOOPBACK,
            help="监听地址(默认 127.0.0.1,只有本机能访问;0.0.0.0 让局域网访问)",
        )
        parser.add_argument("--no-serve", action="store_true", help="只建立演示数据,不启动服务")

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.PRODUCTION:
            raise CommandError("生产环境(LINLI_ENV=production)不能运行演示命令。")
        self.stdout.write(f"数据目录:{settings.DATA_DIR}")
        call_command("migrate", interactive=False, verbosity=0)
        if world_exists():
            self.stdout.write("演示数据已存在,直接使用。")
        else:
            self.stdout.write("正在建立演示数据(阳泉曲社区、凤城镇四个社区)……")
            build_world()
            self.stdout.write(self.style.SUCCESS("演示数据已建立。"))
        self.stdout.write(f"演示账号(密码均为 {DEMO_PASSWORD}):")
        for username, description in DEMO_ACCOUNTS:
            self.stdout.write(f"  {username:<14} {description}")
        if options["no_serve"]:
            return
        # Background work (notifications, exports) runs in a Huey consumer beside the
        # server; both stop together on Ctrl+C, SIGTERM or SIGHUP.
        serve(
            address=options["bind"],
            port=options["port"],
            write=lambda line: self.stdout.write(self.style.SUCCESS(line)),
        )
