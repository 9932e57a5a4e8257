"""Field work's contribution to the early warnings (:mod:`linli.earlywarning`): a grid
whose worker has not patrolled it for the rule's number of days. Registered from
``FieldworkConfig.ready`` through earlywarning's detector registry, the one door between
the two apps."""

from __future__ import annotations

import datetime as dt

from django.db.models import Max
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.accounts.models import RoleAssignment
from linli.areas.models import Grid
from linli.core.roles import Role
from linli.earlywarning.detectors import Finding
from linli.earlywarning.models import WarningKind, WarningRule


def grids_unpatrolled(rule: WarningRule, now: dt.datetime) -> list[Finding]:
    """Grids with a grid worker and no patrol for ``threshold`` days (or none yet)."""
    today = timezone.localdate(now)
    staffed = RoleAssignment.objects.filter(
        role=Role.GRID_WORKER, grid__isnull=False, user__is_active=True
    ).values("grid_id")
    grids = (
        Grid.objects.filter(pk__in=staffed)
        .annotate(last=Max("patrols__started_at"))
        .order_by("code")
    )
    findings = []
    for grid in grids:
        last: dt.datetime | None = getattr(grid, "last", None)
        since = (today - timezone.localdate(last)).days if last else None
        if since is not None and since < rule.threshold:
            continue
        findings.append(
            Finding(
                kind=WarningKind.GRID_UNPATROLLED,
                key=f"unpatrolled:{grid.pk}",
                community_id=grid.community_id,
                area_id=grid.community_id,
                grid_id=grid.pk,
                title=_("%(grid)s久未巡查") % {"grid": grid.name},
                reason=(
                    _("%(grid)s已 %(days)d 天没有巡查记录。") % {"grid": grid.name, "days": since}
                    if since is not None
                    else _("%(grid)s还没有巡查记录。") % {"grid": grid.name}
                ),
                link=reverse("fieldwork:patrols") + f"?grid={grid.pk}",
                count=since or 0,
            )
        )
    return findings
