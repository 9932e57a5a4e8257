"""``/api/v1/notifications``: the caller's own messages, read and marked read as on the 消息
page; their channels per kind and quiet hours, saved through the same service as the
通知设置 page."""

from __future__ import annotations

import datetime as dt

from linli.notifications.models import Notification, Preference, QuietHours
from tests.api.support import ApiCase

URL = "/api/v1/notifications/settings"


class NotificationSettings(ApiCase):
    def test_read_the_defaults(self) -> None:
        status, body = self.get(self.cast.staff, URL)
        assert status == 200, body
        assert body["offered"] == ["sms", "wecom", "email"]
        urgent = next(k for k in body["kinds"] if k["kind"] == "urgent_request")
        assert (urgent["label"], urgent["channels"], urgent["may_digest"]) == (
            "紧急诉求",
            ["sms", "wecom"],
            False,
        )
        assert body["quiet_hours"] == {"enabled": True, "start": "22:00:00", "end": "07:00:00"}

    def test_save_channels_and_quiet_hours(self) -> None:
        status, body = self.post(
            self.cast.staff,
            URL,
            {
                "kinds": [{"kind": "urgent_request", "channels": ["sms"]}],
                "quiet_hours": {"enabled": True, "start": "21:30", "end": "06:30"},
            },
        )
        assert status == 200, body
        urgent = next(k for k in body["kinds"] if k["kind"] == "urgent_request")
        assert urgent["channels"] == ["sms"]
        assert body["quiet_hours"] == {"enabled": True, "start": "21:30:00", "end": "06:30:00"}
        row = Preference.objects.get(user=self.cast.staff, kind="urgent_request")
        assert row.channels == "sms"
        quiet = QuietHours.objects.get(user=self.cast.staff)
        assert (quiet.start, quiet.end) == (dt.time(21, 30), dt.time(6, 30))
        # Kinds not sent keep their setting; quiet hours left out stay as they are.
        body = self.post(self.cast.staff, URL, {"kinds": [{"kind": "general", "digest": True}]})[1]
        assert body["quiet_hours"]["start"] == "21:30:00"
        assert next(k for k in body["kinds"] if k["kind"] == "urgent_request")["channels"] == [
            "sms"
        ]
        # Each user has their own settings.
        other = self.get(self.cast.worker1, URL)[1]
        assert next(k for k in other["kinds"] if k["kind"] == "urgent_request")["channels"] == [
            "sms",
            "wecom",
        ]

    def test_a_channel_not_offered_is_422(self) -> None:
        # A resident is offered text messages and email, not the staff's WeChat Work group.
        status, body = self.post(
            self.cast.resident_user,
            URL,
            {"kinds": [{"kind": "request_update", "channels": ["wecom"]}]},
        )
        assert (status, body["errors"]) == (
            422,
            {"kinds.0.channels": ["您不能选用这些渠道:企业微信群。"]},
        )
        status, body = self.post(
            self.cast.staff, URL, {"kinds": [{"kind": "urgent_request", "channels": ["fax"]}]}
        )
        assert (status, list(body["errors"])) == (422, ["kinds.0.channels.0"])
        status, body = self.post(
            self.cast.staff,
            URL,
            {"kinds": [{"kind": "general"}, {"kind": "general", "channels": ["sms"]}]},
        )
        assert (status, body["errors"]) == (422, {"kinds.1.kind": ["同一类消息只能设置一次。"]})
        assert not Preference.objects.exists()

    def test_quiet_hours_with_a_time_zone_are_422(self) -> None:
        # Quiet hours are on the community's clock; "00:00:00Z" is refused, not stored.
        status, body = self.post(
            self.cast.staff,
            URL,
            {"quiet_hours": {"enabled": False, "start": "00:00:00Z", "end": "07:00"}},
        )
        assert status == 422, body
        assert list(body["errors"]) == ["quiet_hours.start"]
        assert not QuietHours.objects.filter(user=self.cast.staff).exists()

    def test_no_token_is_401(self) -> None:
        assert self.client.get(URL).status_code == 401


class Messages(ApiCase):
    def test_the_caller_lists_and_reads_only_their_own_messages(self) -> None:
        mine = [
            Notification.objects.create(user=self.cast.worker1, text=f"新诉求 {n}")
            for n in range(3)
        ]
        other = Notification.objects.create(user=self.cast.worker2, text="别人的消息")
        status, body = self.get(self.cast.worker1, "/api/v1/notifications")
        assert (status, body["count"]) == (200, 3)
        assert {m["text"] for m in body["items"]} == {"新诉求 0", "新诉求 1", "新诉求 2"}
        marked = self.post(
            self.cast.worker1, "/api/v1/notifications/read", {"ids": [mine[0].pk, other.pk]}
        )
        assert marked == (200, {"marked": 1})
        assert Notification.objects.get(pk=other.pk).read_at is None
        unread = self.get(self.cast.worker1, "/api/v1/notifications", unread="true")[1]
        assert unread["count"] == 2
        assert self.post(self.cast.worker1, "/api/v1/notifications/read") == (200, {"marked": 2})
        assert self.get(self.cast.worker1, "/api/v1/notifications", unread="true")[1]["count"] == 0
        assert self.get(self.cast.worker2, "/api/v1/notifications")[1]["count"] == 1

    def test_bad_input_is_refused(self) -> None:
        status, body = self.post(self.cast.worker1, "/api/v1/notifications/read", {"ids": ["x"]})
        assert (status, list(body["errors"])) == (422, ["ids.0"])
        assert self.get(self.cast.worker1, "/api/v1/notifications", page=0)[0] == 422
        assert self.client.get("/api/v1/notifications").status_code == 401
