"""The import pipeline, the same for every kind (``linli.imports.kinds``): upload, dry run,
all-or-nothing import.

The dry run (the kind's ``check``) and the import (:func:`import_job_run`) share one
validation: the import validates again inside its transaction and writes nothing if a
single row fails, so what the dry run showed clean is what goes in, or nothing does.
The kind's ``write`` audits each record as its own service would; the import adds one
record with the counts.
"""

from __future__ import annotations

import logging
import uuid
from pathlib import Path

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from linli.accounts.models import User
from linli.accounts.selectors import capabilities_of, scope_for
from linli.areas.models import Area, AreaKind
from linli.core.audit import audit_record
from linli.core.errors import Conflict
from linli.core.models import AuditEvent
from linli.core.roles import Capability
from linli.core.text import normalise_text
from linli.imports.kinds import CheckResult, ImportKind, import_kind, import_kinds
from linli.imports.models import ImportJob
from linli.imports.reading import read_rows

MAX_ERRORS_KEPT = 2000
# The largest upload (the web server's own limit, ``client_max_body_size`` in
# deploy/topology.py): 50,000 rows of a register fit in a few megabytes.
MAX_UPLOAD_BYTES = 20 * 1024 * 1024

logger = logging.getLogger(__name__)


# --- jobs --------------------------------------------------------------------------------


def import_communities(
    user: User, capability: Capability = Capability.REGISTER_IMPORT
) -> list[Area]:
    """Communities the user may import into: the kind's capability over the whole
    community."""
    scope = scope_for(user, capability)
    if scope.is_empty:
        return []
    return [
        c
        for c in Area.objects.filter(kind=AreaKind.COMMUNITY).order_by("path")
        if scope.covers_path(c.path)
    ]


def import_kinds_for(user: User) -> list[ImportKind]:
    """The kinds the user may import (each needs its own capability); none is a 403."""
    capabilities = capabilities_of(user)
    kinds = [k for k in import_kinds() if k.capability in capabilities]
    if not kinds:
        raise PermissionDenied(_("您没有这项操作的权限。"))
    return kinds


def import_job_get_for_user(*, user: User, pk: int) -> ImportJob:
    """A job of a kind the user may import, into a community in their scope; else a 404
    (without the import capability the scope is empty, so every job is a 404)."""
    job = ImportJob.objects.select_related("community").filter(pk=pk).first()
    if job is None:
        raise Http404
    try:
        kind = import_kind(job.kind)
    except KeyError:
        raise Http404 from None
    if job.community not in import_communities(user, kind.capability):
        raise Http404
    return job


def upload_dir() -> Path:
    directory = Path(settings.DATA_DIR) / "imports"
    directory.mkdir(parents=True, exist_ok=True)
    return directory


@transaction.atomic
def import_job_create(
    *,
    actor: User,
    community: Area,
    file_name: str,
    content: bytes,
    update_existing: bool,
    kind: str = "residents",
) -> ImportJob:
    spec = import_kind(kind)
    if community not in import_communities(actor, spec.capability):
        raise ValidationError({"community": _("您没有该社区的批量导入权限。")})
    file_name = normalise_text(file_name).strip()
    suffix = Path(file_name).suffix.lower()
    if suffix not in (".xlsx", ".csv"):
        raise ValidationError({"file": _("请上传 .xlsx 或 .csv 文件。")})
    if len(content) > MAX_UPLOAD_BYTES:
        raise ValidationError(
            {"file": _("文件不能超过 %(mb)d MB。") % {"mb": MAX_UPLOAD_BYTES // (1024 * 1024)}}
        )
    path = upload_dir() / f"{uuid.uuid4().hex}{suffix}"
    path.write_bytes(content)
    job = ImportJob.objects.create(
        community=community,
        created_by=actor,
        file_name=file_name[:200],
        stored_path=str(path),
        update_existing=update_existing and spec.can_update,
        kind=spec.key,
    )
    audit_record(
        actor=actor,
        action=AuditEvent.Action.CREATE,
        obj=job,
        fields=["file_name"],
        note="上传导入文件",
    )
    return job


def _delete_upload(job: ImportJob) -> None:
    if job.stored_path:
        Path(job.stored_path).unlink(missing_ok=True)
        job.stored_path = ""


def job_kind(job: ImportJob) -> ImportKind:
    return import_kind(job.kind)


def _load(job: ImportJob) -> CheckResult:
    spec = job_kind(job)
    try:
        rows, missing = read_rows(Path(job.stored_path), spec.columns, spec.required)
    except (ValidationError, OSError) as exc:
        failed = CheckResult()
        messages = exc.messages if isinstance(exc, ValidationError) else [_("上传的文件已不存在。")]
        for message in messages:
            failed.add(1, "", message)
        return failed
    if missing:
        failed = CheckResult(total=len(rows))
        for column in missing:
            failed.add(1, column, _("缺少“%(column)s”列,请使用导入模板。") % {"column": column})
        return failed
    job.total = len(rows)
    ImportJob.objects.filter(pk=job.pk).update(total=job.total)

    def progress(done: int) -> None:
        ImportJob.objects.filter(pk=job.pk).update(processed=done)

    return spec.check(
        community=job.community,
        rows=rows,
        update_existing=job.update_existing,
        progress=progress,
    )


def import_job_check(*, job: ImportJob) -> ImportJob:
    """The dry run: every problem by row and column; the file is kept only if clean."""
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.CHECKING)
    try:
        result = _load(job)
    except Exception:
        # Never leave the job 「检查中」 with its page polling for ever; the error itself
        # is raised on (the worker logs it). Only these columns are written: the counts
        # _load wrote stay, and a failing database cannot hide the first error.
        _delete_upload(job)
        try:
            ImportJob.objects.filter(pk=job.pk).update(
                status=ImportJob.Status.INVALID,
                errors=[
                    {
                        "row": 1,
                        "column": "",
                        "message": _("检查文件时出错,未导入任何数据。请检查文件后重新上传。"),
                        "value": "",
                    }
                ],
                stored_path="",
                finished_at=timezone.now(),
            )
        except Exception:
            logger.exception("import job %s: could not be marked invalid", job.pk)
        raise
    job.refresh_from_db(fields=["total"])
    job.processed = job.total
    job.errors = result.errors[:MAX_ERRORS_KEPT]
    if result.errors:
        job.status = ImportJob.Status.INVALID
        _delete_upload(job)
        job.finished_at = timezone.now()
    else:
        job.status = ImportJob.Status.CHECKED
    job.save()
    return job


def import_job_start(*, job: ImportJob, actor: User) -> ImportJob:
    if job.status != ImportJob.Status.CHECKED:
        # A ValidationError (the page shows the job again), the API's 409.
        raise Conflict(_("只有检查通过的文件才能导入。"))
    job.status = ImportJob.Status.IMPORTING
    job.processed = 0
    job.save(update_fields=["status", "processed"])
    return job


def import_job_run(*, job: ImportJob) -> ImportJob:
    """The import: all rows in one transaction, or none."""
    actor = job.created_by
    try:
        with transaction.atomic():
            result = _load(job)
            if result.errors:
                raise _Rejected(result)
            counts = job_kind(job).write(result.rows, actor=actor, job=job)
            audit_record(
                actor=actor,
                action=AuditEvent.Action.CREATE,
                obj=job,
                fields=[job.kind],
                note=_("批量导入%(kind)s:新增%(c)s,更新%(u)s,新增住户%(h)s")
                % {"kind": job_kind(job).label, "c": counts[0], "u": counts[1], "h": counts[2]},
            )
    except _Rejected as rejected:
        job.errors = rejected.result.errors[:MAX_ERRORS_KEPT]
        job.status = ImportJob.Status.FAILED
    except Exception:
        job.errors = [
            {"row": 0, "column": "", "message": _("导入出错,未导入任何数据。"), "value": ""}
        ]
        job.status = ImportJob.Status.FAILED
        _delete_upload(job)
        job.finished_at = timezone.now()
        job.save()
        raise
    else:
        job.created_count, job.updated_count, job.households_created = counts
        job.status = ImportJob.Status.DONE
        job.processed = job.total
    _delete_upload(job)
    job.finished_at = timezone.now()
    job.save()
    return job


class _Rejected(Exception):
    def __init__(self, result: CheckResult) -> None:
        self.result = result
