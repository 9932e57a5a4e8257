from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImportsConfig(AppConfig):
    name = "linli.imports"
    label = "imports"
    verbose_name = _("批量导入导出")

    def ready(self) -> None:
        # The kinds this app brings (party's registers itself from the party app).
        import linli.imports.residents
        import linli.imports.volunteers  # noqa: F401
        from linli.imports.models import ImportJob
        from linli.privacy.registry import declare_not_personal

        declare_not_personal(
            ImportJob,
            reason=(
                "created_by: the staff member acting; the error list keeps only row, column,"
                " message and masked values (姓名 王*, 身份证号 1401**********1234), and the"
                " uploaded file is deleted when the dry run fails or the import ends"
            ),
        )
