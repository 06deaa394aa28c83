from django.contrib import admin

from fengqiao.revisits.models import Revisit, RevisitDraw, SamplingPlan


@admin.register(SamplingPlan)
class SamplingPlanAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("name", "unit", "amount_threshold", "people_threshold", "is_active")
    readonly_fields = ("unit_path", "version")


@admin.register(RevisitDraw)
class RevisitDrawAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("plan", "period", "seed", "drawn_at", "drawn_by", "candidate_count")
    # A draw is evidence of what was sampled: it is never edited.
    readonly_fields = (
        "plan",
        "period",
        "seed",
        "drawn_at",
        "drawn_by",
        "automatic",
        "plan_snapshot",
        "sizes",
        "candidate_count",
    )


@admin.register(Revisit)
class RevisitAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("case", "level", "grade", "assigned_to", "status", "reached", "satisfied")
    list_filter = ("status", "level", "grade")
    raw_id_fields = ("case", "draw", "assigned_to", "recorded_by")
