"""The ten default categories of shared/triage/TAXONOMY.md with 12345-style deadlines."""

from __future__ import annotations

from typing import Any

from django.db import migrations

DAY = 24
DEFAULT_CATEGORIES = [
    # code, name, handling hours, description
    ("sanitation", "环境卫生", DAY, "垃圾、脏乱、异味、污水外溢、虫鼠、宠物粪便、焚烧垃圾"),
    (
        "repair",
        "设施维修",
        72,
        "扶手、楼道灯、单元门与门禁、电梯停运、下水道、路面、健身器材、屋顶漏水",
    ),
    ("safety", "安全隐患", DAY, "楼道堆物、飞线充电、燃气味、火情、高空坠物、井盖缺失、电梯困人"),
    ("dispute", "矛盾纠纷", 15 * DAY, "邻里噪音、楼上漏水、车位纠纷、装修扰民、家庭矛盾"),
    ("security", "治安防范", DAY, "盗窃、诈骗、可疑人员、打架斗殴"),
    ("assistance", "生活帮扶", DAY, "买菜、送药、陪同就医、老人独自不便做的家务、走失老人"),
    ("health", "健康医疗", DAY, "身体不适、量血压血糖、慢病随访、义诊咨询"),
    ("policy", "政策咨询", 3 * DAY, "养老金、医保、低保、残疾证、居住证、暑托班报名"),
    ("order", "公共秩序", 72, "乱停车、占道经营、私搭乱建、群租、广场舞扰民、油烟"),
    ("other", "其他", 7 * DAY, "感谢、表扬、建议、一般咨询"),
]


def create(apps: Any, schema_editor: Any) -> None:
    Category = apps.get_model("requests", "Category")
    for order, (code, name, hours, description) in enumerate(DEFAULT_CATEGORIES):
        Category.objects.update_or_create(
            code=code,
            defaults={
                "name": name,
                "handling_hours": hours,
                "response_hours": DAY,
                "description": description,
                "sort_order": (order + 1) * 10,
            },
        )


def remove(apps: Any, schema_editor: Any) -> None:
    Category = apps.get_model("requests", "Category")
    Category.objects.filter(code__in=[c[0] for c in DEFAULT_CATEGORIES], requests=None).delete()


class Migration(migrations.Migration):
    dependencies = [("requests", "0001_initial")]

    operations = [migrations.RunPython(create, remove)]
