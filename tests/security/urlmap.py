"""Every URL pattern of the project, with its path parameters filled from a test world.

The access tests (``test_url_access.py``) walk ``get_resolver()``, so a new page, API
route or admin screen is requested automatically. What they cannot guess is which object
a path parameter names: that comes from the two maps below.

**Adding a page with path parameters** (the access test fails and names the URL and the
parameter until you do):

* If the parameter name means the same thing on every URL (``request_id``, ``fmt``,
  ``object_id`` …), add it to ``BY_PARAMETER``.
* Otherwise (``pk`` is a resident on one page and a grid on another) add the URL's full
  name to ``BY_URL``: ``"care:visit_detail": {"pk": lambda w: w.visit.pk}``.
  ``BY_URL`` wins over ``BY_PARAMETER``.

Each value is a function of the ``World``. Name an object that belongs to **grid 1** (or to
another community): the outsider is worker2, the grid worker of grid 2, so every object
page must answer them 404. If the world lacks such an object, add it in ``build_world``.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.resolvers import RegexPattern, RoutePattern
from django.utils import timezone

from linli.accounts.services import api_token_create
from linli.activities.models import Activity, Signup
from linli.care.models import Alert
from linli.care.services import Readings, care_plan_save, visit_log
from linli.earlywarning.models import EarlyWarning, WarningKind
from linli.fieldwork.models import Patrol, PatrolFinding, SinkDownVisit
from linli.notifications.models import Notification
from linli.people.models import Consent, ConsentPurpose, EmergencyContact, Resident
from linli.people.services import consent_record, emergency_contact_add
from linli.programmes.models import Duty, Enrolment, Slot
from linli.reports.content import ReportContent, Section
from linli.reports.models import FiledReport
from linli.requests.models import Request, RequestPhoto
from linli.surveys.models import Answer, Invitation, Survey
from linli.surveys.services import (
    RawAnswer,
    question_add,
    survey_answer,
    survey_create,
    survey_open,
)
from linli.volunteers.models import ServiceCertificate, Team, Volunteer
from linli.volunteers.services import (
    certificate_issue,
    service_hours_submit,
    team_create,
    team_member_add,
    volunteer_create,
)
from tests.cast import Cast, build_cast
from tests.fieldwork.support import build_fieldwork
from tests.party.support import PartyCast, build_party
from tests.programmes.support import (
    Summer,
    build_summer,
    enrol_child,
    summer_duty,
    summer_slot,
)
from tests.requests.support import file_request, jpeg_bytes, upload

# Text that must never reach anyone outside grid 1: the elder's personal data (in full and
# masked) and the text of a request from grid 1.
SECRET_REQUEST_TEXT = "一号楼三层楼道积水漏电,请尽快处理"


@dataclass
class World:
    cast: Cast
    request: Request
    photo: RequestPhoto
    contact: EmergencyContact
    consent: Consent
    volunteer: Volunteer
    team: Team
    alert: Alert
    certificate: ServiceCertificate
    outsider_token: str
    # fieldwork: a 联点 visit, a patrol and a finding of grid 1
    sink_down_visit: SinkDownVisit
    patrol: Patrol
    finding: PatrolFinding
    survey: Survey
    survey_invitation: Invitation
    survey_answer: Answer
    warning: EarlyWarning
    # --- activities (issue 14) ---
    activity: Activity
    signup: Signup
    # --- party work (issue 13) ---
    party: PartyCast | None = None

    @property
    def markers(self) -> list[str]:
        elder = self.cast.elder
        return [
            elder.name,
            elder.phone,
            elder.phone[:3] + "****" + elder.phone[-4:],
            elder.id_number,
            SECRET_REQUEST_TEXT,
            self.contact.name,
        ]


def build_world() -> World:
    cast = build_cast()
    request = file_request(cast, text=SECRET_REQUEST_TEXT, photos=[upload(jpeg_bytes())])
    photo = request.photos.get()
    contact = emergency_contact_add(
        resident=cast.elder, actor=None, name="王建国", relation="儿子", phone="13700002222"
    )
    consent = consent_record(actor=None, resident=cast.elder, purpose=ConsentPurpose.HEALTH)
    volunteer = volunteer_create(
        actor=None, community=cast.community, user=cast.volunteer_user, name="白志愿"
    )
    team = team_create(actor=None, community=cast.community, name="一网格服务队")
    team_member_add(actor=None, team=team, volunteer=volunteer)
    care_plan_save(actor=None, resident=cast.elder, primary_volunteer=volunteer)
    # A dangerous reading: an urgent alert for grid 1.
    visit_log(
        actor=cast.volunteer_user,
        resident=cast.elder,
        services=["blood_pressure"],
        readings=Readings(bp_systolic=186, bp_diastolic=112),
    )
    alert = Alert.objects.get(resident=cast.elder)
    certificate = certificate_issue(actor=None, volunteer=volunteer)
    _token, secret = api_token_create(user=cast.worker2, name="security suite")
    fieldwork = build_fieldwork(cast)
    # An open survey of the community: grid 1's household has answered in writing.
    survey = survey_create(actor=cast.staff, community=cast.community, title="满意度调查")
    question_add(actor=cast.staff, survey=survey, kind="text", text="您的建议?")
    survey_open(actor=cast.staff, survey=survey, seed=1)
    invitation = Invitation.objects.get(survey=survey, household=cast.household1)
    question = survey.questions.get()
    survey_answer(invitation=invitation, answers={question.pk: RawAnswer(text="楼道灯不亮")})
    survey_invitation = Invitation.objects.get(survey=survey, household=cast.household2)
    # An early warning about grid 1's building.
    warning = EarlyWarning.objects.create(
        kind=WarningKind.HOTSPOT,
        key=f"hotspot:{cast.building1.pk}:test",
        community=cast.community,
        area=cast.building1,
        grid=cast.grid1,
        title="1号楼反复反映“环境卫生”",
        reason="近 14 天1号楼反映“环境卫生” 3 次",
        raised_at=timezone.now(),
        last_seen_at=timezone.now(),
    )
    activity, signup = _activity_of_grid1(cast)
    # --- party work (issue 13): the elder is a party member of grid 1's group ---
    party = build_party(cast, elder_is_member=True)
    return World(
        party=party,
        cast=cast,
        request=request,
        photo=photo,
        contact=contact,
        consent=consent,
        volunteer=volunteer,
        team=team,
        alert=alert,
        certificate=certificate,
        outsider_token=secret,
        sink_down_visit=fieldwork.visit,
        patrol=fieldwork.patrol,
        finding=fieldwork.finding,
        survey=survey,
        survey_invitation=survey_invitation,
        survey_answer=Answer.objects.get(response__survey=survey),
        warning=warning,
        activity=activity,
        signup=signup,
    )


def _activity_of_grid1(cast: Cast) -> tuple[Activity, Signup]:
    """An activity for grid 1 only, with the elder signed up (activities, issue 14)."""
    import datetime as dt

    from django.utils import timezone

    from linli.activities.models import ActivityKind, Audience, Status
    from linli.activities.services import activity_create, activity_transition, signup_add

    starts_at = timezone.now() + dt.timedelta(days=1)
    activity = activity_create(
        actor=None,
        community=cast.community,
        kind=ActivityKind.objects.get(code="clinic"),
        title="一网格义诊",
        starts_at=starts_at,
        ends_at=starts_at + dt.timedelta(hours=2),
        audience=Audience.GRID,
        audience_grid=cast.grid1,
    )
    activity = activity_transition(actor=None, activity=activity, to=Status.OPEN)
    signup = signup_add(actor=None, activity=activity, resident=cast.elder)
    return activity, signup


Fill = Callable[[World], object]


def _worker1_message(world: World) -> object:
    """A message to grid 1's worker (the urgent alert's): nobody else may open it."""
    return Notification.objects.filter(user=world.cast.worker1).values_list("pk", flat=True)[0]


def _content_type_id(world: World) -> object:
    return ContentType.objects.get_for_model(Resident).pk


# Parameters that mean the same on every URL.
BY_PARAMETER: dict[str, Fill] = {
    # Open311 answers in .json or .xml
    "fmt": lambda w: "json",
    # --- party work (issue 13) ---
    "party_member_id": lambda w: _party(w).member.pk,
    "party_day_id": lambda w: _party(w).day.pk,
    # the audit trail's export (/audit/export.csv)
    "file_format": lambda w: "csv",
    "service_code": lambda w: w.request.category.code,
    "service_request_id": lambda w: w.request.number,
    "token_id": lambda w: w.request.number,
    # API
    "request_id": lambda w: w.request.pk,
    "activity_id": lambda w: w.activity.pk,
    # requests pages
    "photo_pk": lambda w: w.photo.pk,
    # people pages: reveal a field of a resident
    "field": lambda w: "id_number",
    # Django admin and its helpers (only superusers pass; the id barely matters)
    "object_id": lambda w: w.cast.elder.pk,
    "id": lambda w: w.cast.worker1.pk,
    "content_type_id": _content_type_id,
    "parent_id": lambda w: w.cast.community.pk,
    "app_label": lambda w: "people",
    "url": lambda w: "no-such-page/",
    # summer programmes API
    "programme_id": lambda w: _summer(w).programme.pk,
    "enrolment_id": lambda w: _summer_enrolment(w).pk,
    "phase_id": lambda w: _summer(w).phase.pk,
    "slot_id": lambda w: _summer_slot(w).pk,
    "duty_id": lambda w: _summer_duty(w).pk,
    # the complete API (issue 18 item 5): grid 1's place, people and records
    "area_id": lambda w: w.cast.building1.pk,
    "grid_id": lambda w: w.cast.grid1.pk,
    "resident_id": lambda w: w.cast.elder.pk,
    "household_id": lambda w: w.cast.household1.pk,
    "volunteer_id": lambda w: w.volunteer.pk,
    "record_id": lambda w: _hours_claim(w),
    "warning_id": lambda w: w.warning.pk,
    "organisation_id": lambda w: _party(w).group1.pk,
    # the API's writes (issue 18 item 5): grid 1's contact and consent, the community's survey
    "contact_id": lambda w: w.contact.pk,
    "consent_id": lambda w: w.consent.pk,
    "survey_id": lambda w: w.survey.pk,
    "question_id": lambda w: w.survey.questions.get().pk,
    "team_id": lambda w: w.team.pk,
    # fieldwork API
    "visit_id": lambda w: w.sink_down_visit.pk,
    "patrol_id": lambda w: w.patrol.pk,
    # the pages' remaining operations in the API: grid 1's care alert, a written answer
    "alert_id": lambda w: w.alert.pk,
    "answer_id": lambda w: w.survey_answer.pk,
    # the register import and work reports in the API: the community's import, its report
    "job_id": lambda w: _import_job(w),
    "report_id": lambda w: _filed_report(w).pk,
}

# Parameters that choose a format or a field, not an object: a URL with only these is
# treated like a page without parameters.
NOT_OBJECTS = {"fmt", "file_format", "field", "app_label", "url"}


# ``pk`` and other names whose meaning depends on the URL.
def _party(world: World) -> PartyCast:
    assert world.party is not None
    return world.party


def _import_job(world: World) -> object:
    """A register import into the cast's community (linli.imports), made on first use."""
    from linli.imports.models import ImportJob

    job, _created = ImportJob.objects.get_or_create(
        community=world.cast.community,
        file_name="名册.xlsx",
        defaults={"created_by": world.cast.staff, "status": ImportJob.Status.INVALID},
    )
    return job.pk


BY_URL: dict[str, dict[str, Fill]] = {
    # --- register import (linli.imports) ---
    "imports:job": {"pk": _import_job},
    "imports:job_run": {"pk": _import_job},
    # --- dashboard (issue 16): grid 1's dashboard, its chart and export ---
    "dashboard:place": {"kind": lambda w: "grid", "pk": lambda w: w.cast.grid1.pk},
    "dashboard:chart": {
        "kind": lambda w: "grid",
        "pk": lambda w: w.cast.grid1.pk,
        "name": lambda w: "trend",
    },
    "dashboard:export": {"kind": lambda w: "grid", "pk": lambda w: w.cast.grid1.pk},
    # --- party work (issue 13) ---
    "party:member": {"pk": lambda w: _party(w).member.pk},
    "party:post_add": {"pk": lambda w: _party(w).member.pk},
    "party:day": {"pk": lambda w: _party(w).day.pk},
    "party:record": {"pk": lambda w: _party(w).day.pk},
    "people:resident_detail": {"pk": lambda w: w.cast.elder.pk},
    "people:resident_edit": {"pk": lambda w: w.cast.elder.pk},
    "people:resident_reveal": {"pk": lambda w: w.cast.elder.pk},
    "people:emergency_contact_add": {"pk": lambda w: w.cast.elder.pk},
    "people:emergency_contact_delete": {"pk": lambda w: w.contact.pk},
    "people:consent_history": {"pk": lambda w: w.cast.elder.pk},
    "people:consent_record": {"pk": lambda w: w.cast.elder.pk},
    "people:consent_withdraw": {"pk": lambda w: w.consent.pk},
    "people:personal_data": {"pk": lambda w: w.cast.elder.pk},
    "people:anonymise": {"pk": lambda w: w.cast.elder.pk},
    # django-otp's admin pages for a TOTP device (only superusers pass)
    "admin:otp_totp_totpdevice_config": {"pk": lambda w: w.cast.worker1.pk},
    "admin:otp_totp_totpdevice_qrcode": {"pk": lambda w: w.cast.worker1.pk},
    "people:household_detail": {"pk": lambda w: w.cast.household1.pk},
    "people:household_edit": {"pk": lambda w: w.cast.household1.pk},
    # worker2's own community is 和平社区; another community is outside their scope.
    "people:community_grids": {"pk": lambda w: w.cast.other_community.pk},
    "people:grid_detail": {"pk": lambda w: w.cast.grid1.pk},
    "people:building_detail": {"pk": lambda w: w.cast.building1.pk},
    "requests:detail": {"pk": lambda w: w.request.pk},
    "requests:photo": {"pk": lambda w: w.request.pk},
    "requests:transition": {"pk": lambda w: w.request.pk},
    "requests:feedback": {"pk": lambda w: w.request.pk},
    "requests:mediation": {"pk": lambda w: w.request.pk},
    "requests:mediation_session": {"pk": lambda w: w.request.pk},
    "requests:mediation_conclude": {"pk": lambda w: w.request.pk},
    "requests:reclassify": {"pk": lambda w: w.request.pk},
    "care:person": {"pk": lambda w: w.cast.elder.pk},
    "care:plan_edit": {"pk": lambda w: w.cast.elder.pk},
    "care:visit_new": {"pk": lambda w: w.cast.elder.pk},
    "care:visit_detail": {"pk": lambda w: w.alert.visit_id},
    "notifications:open": {"pk": lambda w: _worker1_message(w)},
    "care:alert_ack": {"pk": lambda w: w.alert.pk},
    "care:alert_close": {"pk": lambda w: w.alert.pk},
    "volunteers:detail": {"pk": lambda w: w.volunteer.pk},
    "volunteers:edit": {"pk": lambda w: w.volunteer.pk},
    "volunteers:team_join": {"pk": lambda w: w.volunteer.pk},
    "volunteers:team_leave": {"pk": lambda w: w.volunteer.pk, "team_pk": lambda w: w.team.pk},
    "volunteers:certificate_issue": {"pk": lambda w: w.volunteer.pk},
    "volunteers:certificate_pdf": {"number": lambda w: w.certificate.number},
    "volunteers:hours_edit": {"pk": lambda w: _hours_claim(w)},
    "volunteers:hours_reject": {"pk": lambda w: _hours_claim(w)},
    "volunteers:hours_withdraw": {"pk": lambda w: _hours_claim(w)},
    "requests:accept_suggestion": {"pk": lambda w: w.request.pk},
    "requests:clear_urgent": {"pk": lambda w: w.request.pk},
    "requests:set_public": {"pk": lambda w: w.request.pk},  # Open311 public flag (issue 18)
    # fieldwork
    "fieldwork:visit_detail": {"pk": lambda w: w.sink_down_visit.pk},
    "fieldwork:patrol_detail": {"pk": lambda w: w.patrol.pk},
    "fieldwork:patrol_check": {"pk": lambda w: w.patrol.pk},
    "fieldwork:patrol_finding": {"pk": lambda w: w.patrol.pk},
    "fieldwork:patrol_finish": {"pk": lambda w: w.patrol.pk},
    "fieldwork:finding_photo": {"pk": lambda w: w.finding.pk},
    # Calling the reporter (issue 17): the audited reveal and the 已联系 record.
    "requests:reveal_phone": {"pk": lambda w: w.request.pk},
    "requests:contact": {"pk": lambda w: w.request.pk},
    "surveys:detail": {"pk": lambda w: w.survey.pk},
    "earlywarning:acknowledge": {"pk": lambda w: w.warning.pk},
    "earlywarning:close": {"pk": lambda w: w.warning.pk},
    "api-v1:survey_detail": {"survey_id": lambda w: w.survey.pk},
    "surveys:open": {"pk": lambda w: w.survey.pk},
    "surveys:close": {"pk": lambda w: w.survey.pk},
    "surveys:codes": {"pk": lambda w: w.survey.pk},
    "surveys:export": {"pk": lambda w: w.survey.pk},
    "surveys:my_answer": {"pk": lambda w: w.survey.pk},
    "surveys:question_remove": {
        "pk": lambda w: w.survey.pk,
        "question_pk": lambda w: w.survey.questions.get().pk,
    },
    "surveys:answer_to_request": {"pk": lambda w: w.survey_answer.pk},
    # a household's one-time code (public by design, see test_url_access.PUBLIC)
    "surveys:answer": {"code": lambda w: w.survey_invitation.code},
    # --- work reports (issue 16): a report of grid 1's community, filed on first use ---
    "reports:detail": {"pk": lambda w: _filed_report(w).pk},
    "reports:download": {"pk": lambda w: _filed_report(w).pk, "fmt": lambda w: "docx"},
    "api-v1:report_download_api": {
        "report_id": lambda w: _filed_report(w).pk,
        "fmt": lambda w: "docx",
    },
    # --- summer programmes: built on first use (see ``_summer``) ---
    "programmes:detail": {"pk": lambda w: _summer(w).programme.pk},
    "programmes:day": {"pk": lambda w: _summer(w).programme.pk},
    "programmes:enrol": {"pk": lambda w: _summer(w).programme.pk},
    "programmes:register_xlsx": {"pk": lambda w: _summer(w).programme.pk},
    "programmes:incident": {"pk": lambda w: _summer(w).programme.pk},
    "programmes:message": {"pk": lambda w: _summer(w).programme.pk},
    "programmes:edit": {"pk": lambda w: _summer(w).programme.pk},
    "programmes:summary": {"pk": lambda w: _summer(w).programme.pk},
    "programmes:phase_new": {"pk": lambda w: _summer(w).programme.pk},
    "programmes:phase_edit": {"pk": lambda w: _summer(w).phase.pk},
    "programmes:slot_new": {"pk": lambda w: _summer(w).phase.pk},
    "programmes:rota": {"pk": lambda w: _summer(w).phase.pk},
    "programmes:duties_credit": {"pk": lambda w: _summer(w).phase.pk},
    "programmes:slot_edit": {"pk": lambda w: _summer_slot(w).pk},
    "programmes:slot_remove": {"pk": lambda w: _summer_slot(w).pk},
    "programmes:duty_remove": {"pk": lambda w: _summer_duty(w).pk},
    "programmes:rate": {"pk": lambda w: _summer_enrolment(w).pk},
    "programmes:sign_in": {"pk": lambda w: _summer_enrolment(w).pk},
    "programmes:sign_out": {"pk": lambda w: _summer_enrolment(w).pk},
    # --- activities (issue 14) ---
    **{
        f"activities:{name}": {"pk": lambda w: w.activity.pk}
        for name in [
            "detail",
            "signup",
            "cancel",
            "phone_signup",
            "helper_add",
            "volunteer_join",
            "transition",
            "served",
            "followup",
            "qr",
            "attendance",
            "export",
            "readings",
            "summary_pdf",
        ]
    },
    "activities:staff_cancel": {"pk": lambda w: w.activity.pk, "signup_pk": lambda w: w.signup.pk},
    "activities:checkin": {
        "pk": lambda w: w.activity.pk,
        "token": lambda w: w.activity.checkin_token,
    },
}


def _filed_report(world: World) -> FiledReport:
    """A work report of grid 1's community, filed once per world (issue 16)."""
    if "_filed_report" not in world.__dict__:
        world.__dict__["_filed_report"] = FiledReport.objects.create(
            area=world.cast.community,
            period_kind="month",
            period_key="2026-11",
            period_start=dt.date(2026, 11, 1),
            period_end=dt.date(2026, 12, 1),
            title="11月工作报告",
            content=ReportContent(
                title="11月工作报告",
                area_name=world.cast.community.name,
                period_key="2026-11",
                period_label="2026年11月",
                previous_label="10月",
                tables=[],
                sections=[Section("summary", "一、诉求办理", "11月共受理居民诉求0件。")],
            ).as_dict(),
            filed_at=timezone.now(),
        )
    report: FiledReport = world.__dict__["_filed_report"]
    return report


def _hours_claim(world: World) -> int:
    """Service hours the volunteer (grid 1's community) submitted, waiting for review."""
    if "_hours_claim" not in world.__dict__:
        world.__dict__["_hours_claim"] = service_hours_submit(
            actor=world.cast.volunteer_user,
            volunteer=world.volunteer,
            started_at=timezone.now() - dt.timedelta(days=1),
            minutes=60,
            content="清理楼道小广告",
        ).pk
    pk: int = world.__dict__["_hours_claim"]
    return pk


def _summer(world: World) -> Summer:
    """A summer programme of 和平社区 (a child of grid 2's household), made once per world."""
    if "_summer" not in world.__dict__:
        world.__dict__["_summer"] = build_summer(world.cast)
    summer: Summer = world.__dict__["_summer"]
    return summer


def _summer_slot(world: World) -> Slot:
    summer = _summer(world)
    if "_summer_slot" not in world.__dict__:
        world.__dict__["_summer_slot"] = summer_slot(summer)
    slot: Slot = world.__dict__["_summer_slot"]
    return slot


def _summer_duty(world: World) -> Duty:
    summer = _summer(world)
    if "_summer_duty" not in world.__dict__:
        world.__dict__["_summer_duty"] = summer_duty(summer, _summer_slot(world))
    duty: Duty = world.__dict__["_summer_duty"]
    return duty


def _summer_enrolment(world: World) -> Enrolment:
    summer = _summer(world)
    if "_summer_enrolment" not in world.__dict__:
        world.__dict__["_summer_enrolment"] = enrol_child(summer)
    enrolment: Enrolment = world.__dict__["_summer_enrolment"]
    return enrolment


@dataclass(frozen=True)
class Endpoint:
    """One URL pattern: its full route, its name (``namespace:name``, or the route when
    unnamed) and the names of its path parameters."""

    route: str
    name: str
    parameters: tuple[str, ...]
    pattern: URLPattern

    @property
    def names_an_object(self) -> bool:
        return any(p not in NOT_OBJECTS for p in self.parameters)

    @property
    def kind(self) -> str:
        """``api`` (token-authenticated), ``admin`` (Django admin) or ``page``."""
        if self.name.startswith(("api-v1:", "open311:")):
            return "api"
        if self.name.startswith("admin:"):
            return "admin"
        return "page"


_ROUTE_PARAMETER = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<parameter>\w+)>")
_REGEX_GROUP = re.compile(r"\(\?P<(?P<parameter>\w+)>[^)]*\)")


def _parameters(pattern: URLPattern | URLResolver) -> list[str]:
    if isinstance(pattern.pattern, RoutePattern):
        return [m["parameter"] for m in _ROUTE_PARAMETER.finditer(str(pattern.pattern))]
    if isinstance(pattern.pattern, RegexPattern):
        return list(pattern.pattern.regex.groupindex)
    return []


def endpoints() -> Iterator[Endpoint]:
    """Every URL pattern reachable from the root URL conf, in order."""

    def walk(
        patterns: list[Any], prefix: str, namespace: str, parameters: list[str]
    ) -> Iterator[Endpoint]:
        for entry in patterns:
            found = parameters + _parameters(entry)
            if isinstance(entry, URLResolver):
                inner = namespace + (f"{entry.namespace}:" if entry.namespace else "")
                yield from walk(entry.url_patterns, prefix + str(entry.pattern), inner, found)
            else:
                route = prefix + str(entry.pattern)
                name = f"{namespace}{entry.name}" if entry.name else f"{namespace}{route}"
                yield Endpoint(route=route, name=name, parameters=tuple(found), pattern=entry)

    yield from walk(get_resolver().url_patterns, "", "", [])


class UnmappedParameter(AssertionError):
    pass


def fill(endpoint: Endpoint, world: World) -> str:
    """The path for ``endpoint`` with each parameter taken from the maps.

    Raises ``UnmappedParameter`` naming the URL and the parameter when neither map knows
    it: a new page's parameters must be mapped before it can be checked.
    """
    values: dict[str, str] = {}
    for parameter in endpoint.parameters:
        fill_value = BY_URL.get(endpoint.name, {}).get(parameter) or BY_PARAMETER.get(parameter)
        if fill_value is None:
            raise UnmappedParameter(
                f"URL {endpoint.name!r} ({endpoint.route}) has the path parameter "
                f"{parameter!r}, which tests/security/urlmap.py does not map. Add "
                f'"{endpoint.name}": {{"{parameter}": lambda w: <an object of grid 1>.pk}} '
                f"to BY_URL (or {parameter!r} to BY_PARAMETER if it means the same on "
                "every URL)."
            )
        values[parameter] = str(fill_value(world))

    path = _REGEX_GROUP.sub(lambda m: values[m["parameter"]], endpoint.route)
    path = _ROUTE_PARAMETER.sub(lambda m: values[m["parameter"]], path)
    path = "/" + path.replace("^", "").replace("$", "")
    # The filled path must lead back to the very pattern it was made from.
    match = resolve(path)
    assert match.route == endpoint.route.replace("^", "").replace("$", "") or (
        match.func is endpoint.pattern.callback
    ), f"{path} resolves to {match.route}, not {endpoint.route}"
    return path
