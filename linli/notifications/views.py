from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from linli.accounts.current import request_user
from linli.core.pagination import paginate
from linli.notifications.models import Notification
from linli.notifications.selectors import notification_get
from linli.notifications.services import notification_open, notifications_mark_read


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    page = paginate(request, Notification.objects.filter(user_id=request.user.pk or 0))
    return render(request, "notifications/list.html", {"page": page})


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
