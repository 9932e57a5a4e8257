from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from linli.accounts.current import request_user
from linli.core.outcomes import submit_form
from linli.core.pagination import paginate
from linli.notifications.forms import PreferencesForm, StaffGroupForm
from linli.notifications.models import DeliveryStatus, Notification, StaffGroup
from linli.notifications.preferences import channels_offered, choices_of
from linli.notifications.selectors import (
    deliveries_for_admin,
    group_communities,
    group_grids,
    may_see_deliveries,
    notification_get,
    staff_group_get,
    staff_groups_for,
)
from linli.notifications.services import (
    notification_open,
    notifications_mark_read,
    preferences_save,
    staff_group_remove,
    staff_group_set,
)


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    page = paginate(request, Notification.objects.filter(user_id=user.pk or 0))
    return render(
        request,
        "notifications/list.html",
        {
            "page": page,
            "may_configure_groups": group_communities(user).exists(),
            "may_see_deliveries": may_see_deliveries(user),
        },
    )


@login_required
@require_POST
def mark_read(request: HttpRequest) -> HttpResponse:
    user = request_user(request)
    notifications_mark_read(user=user)
    return redirect("notifications:list")


@login_required
def open_notification(request: HttpRequest, pk: int) -> HttpResponse:
    """A message opened is a message read: mark it read, then go where it points."""
    user = request_user(request)
    notification = notification_get(user=user, pk=pk)
    return redirect(notification_open(user=user, notification=notification))


@login_required
def preferences(request: HttpRequest) -> HttpResponse:
    """Which channels tell the user about each kind of event, and the quiet hours."""
    user = request_user(request)
    offered = channels_offered(user)
    form = PreferencesForm(
        request.POST or None, user=user, offered=offered, choices=choices_of(user)
    )
    if request.method == "POST" and form.is_valid():
        preferences_save(
            user=user,
            chosen=form.chosen(),
            quiet_enabled=form.cleaned_data["quiet_enabled"],
            quiet_start=form.cleaned_data["quiet_start"],
            quiet_end=form.cleaned_data["quiet_end"],
        )
        messages.success(request, _("通知设置已保存。"))
        return redirect("notifications:preferences")
    return render(
        request,
        "notifications/preferences.html",
        {
            "form": form,
            "offered": offered,
            "has_phone": bool(user.phone or getattr(getattr(user, "resident", None), "phone", "")),
            "has_email": bool(user.email),
        },
    )


@login_required
def staff_groups(request: HttpRequest) -> HttpResponse:
    """The WeChat Work robots of the grids' and communities' staff groups in scope."""
    user = request_user(request)
    communities = list(group_communities(user))
    if not communities:
        raise Http404
    form = StaffGroupForm(
        request.POST or None, communities=communities, grids=list(group_grids(user))
    )
    if request.method == "POST" and "remove" in request.POST:
        try:
            pk = int(request.POST["remove"])
        except ValueError as error:
            raise Http404 from error
        staff_group_remove(actor=user, group=staff_group_get(user=user, pk=pk))
        messages.success(request, _("已取消该工作群的通知。"))
        return redirect("notifications:groups")

    def set_group() -> StaffGroup:
        kind, _colon, ident = form.cleaned_data["where"].partition(":")
        grid = group_grids(user).get(pk=int(ident)) if kind == "grid" else None
        community = group_communities(user).get(pk=int(ident)) if kind == "community" else None
        return staff_group_set(
            actor=user, robot=form.cleaned_data["robot"], grid=grid, community=community
        )

    return submit_form(
        request,
        form,
        set_group,
        success=_("工作群已设置。"),
        then=lambda _group: redirect("notifications:groups"),
    ) or render(
        request,
        "notifications/groups.html",
        {"form": form, "groups": staff_groups_for(user)},
    )


@login_required
def deliveries(request: HttpRequest) -> HttpResponse:
    """Administrators: deliveries that failed or wait for a retry, with the error."""
    user = request_user(request)
    if not may_see_deliveries(user):
        raise Http404
    status = request.GET.get("status", "")
    page = paginate(request, deliveries_for_admin(status=status))
    return render(
        request,
        "notifications/deliveries.html",
        {"page": page, "status": status, "statuses": DeliveryStatus.choices},
    )
