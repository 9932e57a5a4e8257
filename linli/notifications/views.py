from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from linli.accounts.current import request_user
from linli.core.pagination import paginate
from linli.notifications.models import Notification
from linli.notifications.services import notifications_mark_read


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
