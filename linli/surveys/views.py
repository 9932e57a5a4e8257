"""Survey pages: staff compose, publish, print codes and read results; residents answer
on a phone by link, QR code or their account."""

from __future__ import annotations

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from linli.accounts.current import request_user, require_capability
from linli.accounts.list_export import Column, export_list, wants_export, when
from linli.accounts.selectors import capabilities_of, scope_for
from linli.areas.selectors import communities_in_scope
from linli.core.audit import audit_record
from linli.core.forms import add_service_errors
from linli.core.models import AuditEvent
from linli.core.pagination import paginate, querystring_without_page
from linli.core.roles import Capability
from linli.core.spreadsheets import XLSX_CONTENT_TYPE
from linli.people.models import Resident
from linli.surveys.forms import AnswerForm, CodeForm, QuestionForm, SurveyForm
from linli.surveys.models import Invitation, Question, Survey
from linli.surveys.selectors import (
    answer_get_for_user,
    invitations_for_print,
    own_invitation,
    slip_places,
    survey_get_for_user,
    survey_list,
    survey_results,
    visible_surveys,
)
from linli.surveys.services import (
    answer_to_request,
    invitation_for_code,
    question_add,
    question_remove,
    survey_answer,
    survey_apply_template,
    survey_close,
    survey_create,
    survey_export,
    survey_open,
)


def _may_manage(request: HttpRequest) -> bool:
    return Capability.SURVEYS_MANAGE in capabilities_of(request.user)


@login_required
def survey_list_view(request: HttpRequest) -> HttpResponse:
    require_capability(request, Capability.SURVEYS_VIEW)
    status = request.GET.get("status", "")
    if status not in Survey.Status.values:
        status = ""
    surveys = survey_list(user=request.user, status=status)
    if wants_export(request):
        return export_list(
            request,
            rows=surveys,
            columns=[
                Column(_("标题"), lambda s: s.title),
                Column(_("社区"), lambda s: s.community.name),
                Column(_("状态"), lambda s: s.get_status_display()),
                Column(_("邀请户数"), lambda s: s.invited),
                Column(_("作答户数"), lambda s: s.answered),
                Column(
                    _("回收率(%)"),
                    lambda s: round(100 * s.answered / s.invited, 1) if s.invited else "",
                ),
                Column(_("创建时间"), when("created_at")),
            ],
            title=_("问卷"),
            object_type="surveys.survey",
            file_name="surveys",
        )
    page = paginate(request, surveys)
    return render(
        request,
        "surveys/list.html",
        {
            "page": page,
            "status": status,
            "statuses": Survey.Status.choices,
            "querystring": querystring_without_page(request),
            "can_manage": _may_manage(request),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def survey_create_view(request: HttpRequest) -> HttpResponse:
    require_capability(request, Capability.SURVEYS_MANAGE)
    user = request_user(request)
    communities = communities_in_scope(scope_for(user, Capability.SURVEYS_MANAGE), whole_only=True)
    form = SurveyForm(request.POST or None, communities=communities)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            survey = survey_create(
                actor=user,
                community=data["community"],
                title=data["title"],
                intro=data["intro"],
                audience_area=data["audience_area"],
                audience_grid=data["audience_grid"],
                sample_size=data["sample_size"],
                named=data["named"],
            )
            if data["use_template"]:
                survey_apply_template(actor=user, survey=survey)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("调查已创建,请检查题目后发布。"))
            return redirect("surveys:detail", pk=survey.pk)
    return render(request, "surveys/create.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def survey_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    survey = survey_get_for_user(user=request.user, pk=pk)
    can_manage = (
        visible_surveys(request.user, Capability.SURVEYS_MANAGE).filter(pk=survey.pk).exists()
    )
    question_form = QuestionForm(request.POST or None)
    if request.method == "POST":
        if not can_manage:
            raise Http404
        if question_form.is_valid():
            data = question_form.cleaned_data
            try:
                question_add(
                    actor=request_user(request),
                    survey=survey,
                    kind=data["kind"],
                    text=data["text"],
                    choices=question_form.choice_list(),
                    required=data["required"],
                    dimension=data["dimension"],
                )
            except ValidationError as error:
                add_service_errors(question_form, error)
            else:
                messages.success(request, _("题目已添加。"))
                return redirect("surveys:detail", pk=survey.pk)
    results = survey_results(survey) if survey.status != Survey.Status.DRAFT else None
    public_link = request.build_absolute_uri(reverse("surveys:enter_code"))
    return render(
        request,
        "surveys/detail.html",
        {
            "survey": survey,
            "questions": survey.questions.order_by("position"),
            "results": results,
            "question_form": question_form,
            "can_manage": can_manage,
            "public_link": public_link,
        },
    )


def _manageable(request: HttpRequest, pk: int) -> Survey:
    return survey_get_for_user(user=request.user, pk=pk, capability=Capability.SURVEYS_MANAGE)


@login_required
@require_POST
def question_remove_view(request: HttpRequest, pk: int, question_pk: int) -> HttpResponse:
    survey = _manageable(request, pk)
    question = Question.objects.filter(survey=survey, pk=question_pk).first()
    if question is None:
        raise Http404
    try:
        question_remove(actor=request_user(request), question=question)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("surveys:detail", pk=survey.pk)


@login_required
@require_POST
def survey_open_view(request: HttpRequest, pk: int) -> HttpResponse:
    survey = _manageable(request, pk)
    try:
        invited = survey_open(actor=request_user(request), survey=survey)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("调查已发布,已为 %(n)d 户生成答题码。") % {"n": invited})
    return redirect("surveys:detail", pk=survey.pk)


@login_required
@require_POST
def survey_close_view(request: HttpRequest, pk: int) -> HttpResponse:
    survey = _manageable(request, pk)
    try:
        survey_close(actor=request_user(request), survey=survey)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("调查已结束。"))
    return redirect("surveys:detail", pk=survey.pk)


def _qr_svg(url: str) -> str:
    return str(segno.make(url, error="m").svg_inline(scale=3, border=2))


@login_required
def survey_codes_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Printable slips, one per invited household: the link, the code and its QR code."""
    survey = _manageable(request, pk)
    if survey.status == Survey.Status.DRAFT:
        raise Http404
    page = paginate(request, invitations_for_print(survey), per_page=24)
    places = slip_places(page)
    slips = []
    for invitation in page:
        url = request.build_absolute_uri(reverse("surveys:answer", args=[invitation.code]))
        slips.append(
            {
                "invitation": invitation,
                "place": places[invitation.pk],
                "url": url,
                "qr": _qr_svg(url),
            }
        )
    audit_record(
        actor=request_user(request),
        action=AuditEvent.Action.VIEW,
        obj=survey,
        note=_("第 %(n)d 页") % {"n": page.number},
    )
    return render(
        request,
        "surveys/codes.html",
        {"survey": survey, "page": page, "slips": slips, "querystring": ""},
    )


@login_required
def survey_export_view(request: HttpRequest, pk: int) -> HttpResponse:
    survey = survey_get_for_user(user=request.user, pk=pk)
    content = survey_export(actor=request_user(request), survey=survey)
    response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="survey-{survey.pk}.xlsx"'
    return response


@login_required
@require_POST
def answer_to_request_view(request: HttpRequest, pk: int) -> HttpResponse:
    answer = answer_get_for_user(user=request.user, pk=pk)
    try:
        filed = answer_to_request(actor=request_user(request), answer=answer)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("已转为诉求 %(number)s。") % {"number": filed.number})
    return redirect("surveys:detail", pk=answer.response.survey_id)


# --- answering ---------------------------------------------------------------------------


def _answer_page(
    request: HttpRequest, invitation: Invitation, resident: Resident | None
) -> HttpResponse:
    survey = invitation.survey
    if invitation.answered_at is not None:
        return render(request, "surveys/answered.html", {"survey": survey, "already": True})
    if survey.status != Survey.Status.OPEN:
        return render(request, "surveys/answered.html", {"survey": survey, "closed": True})
    form = AnswerForm(request.POST if request.method == "POST" else None, survey=survey)
    if request.method == "POST" and form.is_valid():
        try:
            survey_answer(invitation=invitation, answers=form.raw_answers(), resident=resident)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return render(request, "surveys/answered.html", {"survey": survey})
    return render(request, "surveys/answer.html", {"survey": survey, "form": form})


@require_http_methods(["GET", "POST"])
def enter_code_view(request: HttpRequest) -> HttpResponse:
    """Where a resident types the code printed on the notice (no account needed)."""
    form = CodeForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        invitation = invitation_for_code(form.cleaned_data["code"])
        if invitation is not None:
            return redirect("surveys:answer", code=invitation.code)
        form.add_error("code", _("没有找到这个答题码,请核对后再试。"))
    return render(request, "surveys/enter_code.html", {"form": form})


@require_http_methods(["GET", "POST"])
def answer_view(request: HttpRequest, code: str) -> HttpResponse:
    """The page a QR code opens: the code in the link is the household's one answer."""
    invitation = invitation_for_code(code)
    if invitation is None:
        raise Http404
    return _answer_page(request, invitation, None)


@login_required
@require_http_methods(["GET", "POST"])
def my_answer_view(request: HttpRequest, pk: int) -> HttpResponse:
    """A signed-in resident answers for their household without a code."""
    invitation, resident = own_invitation(user=request_user(request), survey_id=pk)
    return _answer_page(request, invitation, resident)
