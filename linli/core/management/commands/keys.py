from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from linli.core.keys import (
    KeyRotationError,
    keys_reencrypt,
    keys_retire,
    keys_rotate,
    keys_status,
)


class Command(BaseCommand):
    help = (
        "字段加密密钥:status 查看各密钥加密了多少值;rotate 生成新主密钥(旧密钥保留用于解密);"
        "reencrypt 用主密钥分批重新加密所有字段;retire 在全部重新加密后停用旧密钥。"
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        sub.add_parser("status", help="密钥与各加密字段的状态")
        sub.add_parser("rotate", help="生成新的主密钥")
        reencrypt = sub.add_parser("reencrypt", help="用主密钥重新加密所有字段")
        reencrypt.add_argument("--batch-size", type=int, default=500)
        sub.add_parser("retire", help="停用旧密钥(须先 reencrypt)")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        try:
            getattr(self, f"_{action}")(options)
        except KeyRotationError as exc:
            raise CommandError(str(exc)) from exc

    def _status(self, options: dict[str, Any]) -> None:
        status = keys_status()
        self.stdout.write(f"密钥来源:{status.source}")
        for index, fp in enumerate(status.fingerprints):
            self.stdout.write(f"  {'主密钥' if index == 0 else '旧密钥'} {fp}")
        for column in status.columns:
            counts = ", ".join(f"{fp}: {n}" for fp, n in sorted(column.by_key.items())) or "-"
            unreadable = f",无法解密 {column.unreadable}" if column.unreadable else ""
            self.stdout.write(f"{column.label}:共 {column.total} 个值({counts}){unreadable}")
        if status.outside_primary:
            self.stdout.write(
                f"还有 {status.outside_primary} 个值不在主密钥下:运行 linli keys reencrypt。"
            )
        elif len(status.fingerprints) > 1:
            self.stdout.write("所有值都已在主密钥下,可以运行 linli keys retire 停用旧密钥。")
        else:
            self.stdout.write("所有值都在主密钥下。")

    def _rotate(self, options: dict[str, Any]) -> None:
        result = keys_rotate()
        if result.written:
            self.stdout.write(
                f"新主密钥 {result.new_fingerprint} 已写入密钥文件;旧密钥保留用于解密。"
                "请重启应用进程,然后运行 linli keys reencrypt。"
            )
        else:
            self.stdout.write(
                "密钥来自环境变量,无法自动修改。请把 LINLI_FIELD_KEYS 设为下面一行"
                "(新密钥在最前),重启所有应用进程,然后运行 linli keys reencrypt:"
            )
            self.stdout.write(result.ring_for_environment)

    def _reencrypt(self, options: dict[str, Any]) -> None:
        changed = keys_reencrypt(batch_size=options["batch_size"])
        self.stdout.write(f"已用主密钥重新加密 {changed} 个值。")

    def _retire(self, options: dict[str, Any]) -> None:
        result = keys_retire()
        if not result.retired:
            self.stdout.write("只有一个密钥,没有可停用的旧密钥。")
        elif result.written:
            self.stdout.write(f"已停用 {result.retired} 个旧密钥。请重启应用进程。")
        else:
            self.stdout.write(
                f"可以停用 {result.retired} 个旧密钥:请把 LINLI_FIELD_KEYS 设为下面一行,"
                "并重启所有应用进程:"
            )
            self.stdout.write(result.ring_for_environment)
