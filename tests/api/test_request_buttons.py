"""``/api/v1/requests``: the request page's buttons — clear a false urgent flag, make a
request public for Open311, record the first contact, reveal the reporter's phone — through
the same services: 403 for a caller who may see but not press, 404 outside scope, 409 when
the request's state does not allow it, 422 for bad input."""

from __future__ import annotations

from linli.core.models import AuditEvent
from linli.requests.models import Request, RequestEvent
from tests.api.support import ApiCase
from tests.requests.support import file_request

URL = "/api/v1/requests"


class RequestButtons(ApiCase):
    def test_a_dispatcher_clears_a_false_urgent_flag_with_a_reason(self) -> None:
        request = file_request(self.cast, urgent=True)
        path = f"{URL}/{request.pk}/clear-urgent"
        status, body = self.post(self.cast.staff, path, {"reason": "说的是上周的事"})
        assert (status, body["urgent"]) == (200, False)
        status, again = self.post(self.cast.staff, path, {"reason": "再解除一次"})
        assert (status, again["detail"]) == (409, "这条诉求已经不是紧急的了。")

    def test_clearing_urgent_is_refused_to_others_and_without_a_reason(self) -> None:
        request = file_request(self.cast, urgent=True)
        path = f"{URL}/{request.pk}/clear-urgent"
        assert self.post(self.cast.worker1, path, {"reason": "不急"})[0] == 403
        assert self.post(self.cast.worker2, path, {"reason": "不急"})[0] == 404
        assert self.post(self.outsider, path, {"reason": "不急"})[0] == 404
        status, body = self.post(self.cast.staff, path, {"reason": " "})
        assert (status, body["errors"]) == (422, {"reason": ["请写明为什么不是紧急情况。"]})
        assert self.post(self.cast.staff, path, {"reason": "x" * 201})[0] == 422
        assert Request.objects.get(pk=request.pk).urgent is True

    def test_a_dispatcher_makes_a_request_public_and_private_again(self) -> None:
        request = file_request(self.cast)
        path = f"{URL}/{request.pk}/public"
        assert self.post(self.cast.staff, path, {"public": True})[0] == 200
        assert Request.objects.get(pk=request.pk).public is True
        assert self.post(self.cast.staff, path, {"public": False})[0] == 200
        assert Request.objects.get(pk=request.pk).public is False
        assert self.post(self.cast.worker1, path, {"public": True})[0] == 403
        assert self.post(self.outsider, path, {"public": True})[0] == 404
        assert self.post(self.cast.staff, path, {"public": "maybe"})[0] == 422
        assert self.post(self.cast.staff, path, {})[0] == 422

    def test_the_assignee_records_the_first_contact(self) -> None:
        request = file_request(self.cast)
        path = f"{URL}/{request.pk}/contacted"
        assert self.post(self.cast.staff, path)[0] == 403  # the dispatcher is not the assignee
        assert self.post(self.cast.worker2, path)[0] == 404
        assert self.post(self.cast.worker1, path, {"note": "x" * 501})[0] == 422
        assert self.post(self.cast.worker1, path, {"note": "电话已通,明早上门"})[0] == 200
        event = RequestEvent.objects.get(request=request, kind=RequestEvent.Kind.CONTACTED)
        assert (event.actor, event.note) == (self.cast.worker1, "电话已通,明早上门")
        assert Request.objects.get(pk=request.pk).responded_at == event.created_at

    def test_the_assignee_reveals_the_reporters_phone_and_it_is_audited(self) -> None:
        request = file_request(self.cast)
        path = f"{URL}/{request.pk}/reporter-phone"
        # The dispatcher and the reporter see the request but may not reveal the number.
        assert self.post(self.cast.staff, path)[0] == 403
        assert self.post(self.cast.resident_user, path)[0] == 403
        assert self.post(self.cast.worker2, path)[0] == 404
        assert self.post(self.outsider, path)[0] == 404
        assert not AuditEvent.objects.filter(action=AuditEvent.Action.REVEAL).exists()
        assert self.post(self.cast.worker1, path) == (200, {"phone": self.cast.elder.phone})
        reveal = AuditEvent.objects.get(action=AuditEvent.Action.REVEAL)
        assert (reveal.actor, reveal.object_id, reveal.fields) == (
            self.cast.worker1,
            str(self.cast.elder.pk),
            ["phone"],
        )
