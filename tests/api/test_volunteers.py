"""``/api/v1/volunteers`` writes: register a resident as a volunteer, change a profile
(skills, availability), record service hours — through the volunteers services, scoped
like the pages."""

from __future__ import annotations

from linli.core.models import AuditEvent
from linli.volunteers.models import ServiceRecord, Volunteer
from tests.api.support import ApiCase

URL = "/api/v1/volunteers"


class VolunteerWrites(ApiCase):
    def register_neighbour(self) -> tuple[int, dict[str, object]]:
        return self.post(self.cast.staff, URL, {"resident": self.cast.neighbour.pk})

    def test_register_a_resident_as_a_volunteer(self) -> None:
        status, body = self.register_neighbour()
        assert status == 201, body
        assert (body["name"], body["kind"], body["grid"], body["community"]) == (
            "李建军",
            "resident",
            "第2网格",  # the grid of the building they live in
            "和平社区",
        )
        volunteer = Volunteer.objects.get(resident=self.cast.neighbour)
        assert AuditEvent.objects.filter(object_id=str(volunteer.pk), action="create").exists()

    def test_registering_twice_is_a_409(self) -> None:
        assert self.register_neighbour()[0] == 201
        status, body = self.register_neighbour()
        assert (status, body["code"]) == (409, "duplicate")
        assert body["detail"] == "该居民已登记为志愿者。"

    def test_scope_permission_and_validation(self) -> None:
        cast = self.cast
        # A resident of another community's staff: not found; no capability: refused.
        assert self.post(self.outsider, URL, {"resident": cast.neighbour.pk})[0] == 404
        assert self.post(cast.resident_user, URL, {"resident": cast.neighbour.pk})[0] == 403
        status, body = self.post(cast.staff, URL, {"resident": cast.neighbour.pk, "kind": "x"})
        assert (status, list(body["errors"])) == (422, ["kind"])
        assert "应为以下之一" in body["errors"]["kind"][0]
        assert not Volunteer.objects.exists()

    def test_change_skills_and_availability(self) -> None:
        volunteer_id = self.register_neighbour()[1]["id"]
        status, body = self.post(
            self.cast.staff,
            f"{URL}/{volunteer_id}",
            {
                "skills": ["量血压", "理发"],
                "availability": [
                    {"weekday": 5, "slot": "morning"},
                    {"weekday": 0, "slot": "evening"},
                ],
            },
        )
        assert status == 200, body
        assert sorted(body["skills"]) == ["理发", "量血压"]
        assert body["availability"] == [
            {"weekday": 0, "slot": "evening"},
            {"weekday": 5, "slot": "morning"},
        ]
        # Only what is sent changes: leaving the books keeps the skills and slots.
        body = self.post(self.cast.staff, f"{URL}/{volunteer_id}", {"active": False})[1]
        assert (body["active"], len(body["skills"]), len(body["availability"])) == (False, 2, 2)
        status, body = self.post(
            self.cast.staff,
            f"{URL}/{volunteer_id}",
            {"availability": [{"weekday": 7, "slot": "morning"}]},
        )
        assert (status, body["errors"]) == (422, {"availability.0.weekday": ["应不大于 6。"]})
        # Another community's grid is not one of the volunteer's: not found.
        other = self.post(
            self.cast.staff, f"{URL}/{volunteer_id}", {"grid": self.cast.grid1.pk + 1000}
        )
        assert other[0] == 404
        assert self.post(self.outsider, f"{URL}/{volunteer_id}", {"active": True})[0] == 404
        assert self.post(self.cast.worker1, f"{URL}/{volunteer_id}", {"active": True})[0] == 404

    def test_record_service_hours(self) -> None:
        volunteer_id = self.register_neighbour()[1]["id"]
        path = f"{URL}/{volunteer_id}/hours"
        record = {"started_at": "2026-11-01T09:00:00+08:00", "minutes": 90, "content": "陪老人聊天"}
        status, body = self.post(self.cast.staff, path, record)
        assert (status, body["minutes"], body["source"]) == (201, 90, "other")
        assert self.get(self.cast.staff, f"{URL}/{volunteer_id}")[1]["hours"] == "1.5"
        status, body = self.post(self.cast.staff, path, {**record, "minutes": 0})
        assert (status, body["errors"]) == (422, {"minutes": ["服务时长须大于 0 分钟。"]})
        assert self.post(self.outsider, path, record)[0] == 404
        assert self.post(self.cast.volunteer_user, path, record)[0] == 404
        assert ServiceRecord.objects.count() == 1


class TeamsAndCertificates(ApiCase):
    def test_create_join_lead_leave_a_team(self) -> None:
        staff = self.cast.staff
        status, team = self.post(staff, f"{URL}/teams", {"name": "一网格服务队"})
        assert (status, team["community"], team["kind"]) == (201, "和平社区", "service")
        status, same = self.post(staff, f"{URL}/teams", {"name": "一网格服务队"})
        assert (status, same["code"], same["detail"]) == (409, "duplicate", "本社区已有同名队伍。")
        assert self.post(self.cast.worker1, f"{URL}/teams", {"name": "二队"})[0] == 403
        assert self.get(staff, f"{URL}/teams")[1]["count"] == 1

        volunteer_id = self.post(staff, URL, {"resident": self.cast.neighbour.pk})[1]["id"]
        path = f"{URL}/{volunteer_id}/teams"
        status, body = self.post(staff, path, {"team": team["id"]})
        assert (status, body["teams"]) == (200, ["一网格服务队"])
        status, again = self.post(staff, path, {"team": team["id"]})
        assert (status, again["code"]) == (409, "duplicate")
        assert again["detail"] == "李建军 已是一网格服务队的队员。"
        assert self.post(staff, path, {"team": team["id"], "is_leader": True})[0] == 200
        assert self.post(self.outsider, path, {"team": team["id"]})[0] == 404
        assert self.post(staff, path, {"team": team["id"] + 1000})[0] == 404
        status, left = self.post(staff, f"{path}/{team['id']}/leave")
        assert (status, left["teams"]) == (200, [])
        assert self.post(staff, f"{path}/{team['id']}/leave")[0] == 404

    def test_issue_a_certificate(self) -> None:
        staff = self.cast.staff
        volunteer_id = self.post(staff, URL, {"resident": self.cast.neighbour.pk})[1]["id"]
        path = f"{URL}/{volunteer_id}/certificates"
        status, body = self.post(staff, path)
        assert (status, body["code"], body["detail"]) == (
            409,
            "invalid_transition",
            "该志愿者还没有已确认的服务时长,无法出具证明。",
        )
        record = {"started_at": "2026-11-01T09:00:00+08:00", "minutes": 120, "content": "平安巡逻"}
        self.post(staff, f"{URL}/{volunteer_id}/hours", record)
        status, body = self.post(staff, path)
        assert (status, body["hours"], body["content_summary"]) == (201, "2.0", "平安巡逻")
        assert body["number"].startswith("ZYFW-")
        assert self.post(self.outsider, path)[0] == 404
