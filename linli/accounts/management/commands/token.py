from __future__ import annotations

from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from linli.accounts.models import ApiToken, User
from linli.accounts.services import api_token_create, api_token_revoke


class Command(BaseCommand):
    help = "管理 /api/v1 的接口令牌:create 新建(最后一行输出令牌)、list 列出、revoke 吊销。"

    def add_arguments(self, parser: ArgumentParser) -> None:
        sub = parser.add_subparsers(dest="action", required=True)
        create = sub.add_parser("create", help="为用户新建令牌")
        create.add_argument("username")
        create.add_argument("--name", default="", help="令牌用途说明")
        listing = sub.add_parser("list", help="列出用户的令牌")
        listing.add_argument("username")
        revoke = sub.add_parser("revoke", help="按前缀吊销令牌")
        revoke.add_argument("prefix")

    def handle(self, *args: Any, **options: Any) -> None:
        action = options["action"]
        if action == "revoke":
            token = ApiToken.objects.filter(prefix=options["prefix"]).first()
            if token is None:
                raise CommandError(f"没有前缀为 {options['prefix']} 的令牌。")
            api_token_revoke(token=token)
            self.stdout.write(f"已吊销令牌 {token.prefix}…")
            return
        user = User.objects.filter(username=options["username"]).first()
        if user is None:
            raise CommandError(f"没有用户名为 {options['username']} 的用户。")
        if action == "list":
            for token in user.api_tokens.all():
                state = "有效" if token.is_active else f"已吊销 {token.revoked_at:%Y-%m-%d %H:%M}"
                self.stdout.write(f"{token.prefix}\t{token.name or '-'}\t{state}")
            return
        token, secret = api_token_create(user=user, name=options["name"])
        self.stdout.write(
            f"已为 {user.username} 创建令牌(前缀 {token.prefix}),请妥善保存,它只显示这一次:"
        )
        self.stdout.write(secret)
