"""Stored early-warning models and the warnings they give."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class WarningModel(models.Model):
    """One trained model of one outcome: its algorithm, its parameters (JSON for the logistic
    regression, LightGBM's own text format for the trees), the backtest metrics it was chosen
    by and the data window it learned from. The newest active one per outcome is in use."""

    class Outcome(models.TextChoices):
        LATE = "late", _("延期交付(超过基线14天)")
        OVERRUN = "overrun", _("成本超支(超过不可预见费)")

    version = models.CharField(_("模型版本"), max_length=40, db_index=True)
    outcome = models.CharField(_("预测结果"), max_length=20, choices=Outcome.choices)
    algorithm = models.CharField(_("算法"), max_length=20)
    parameters = models.JSONField(_("参数"), default=dict, blank=True)
    booster = models.TextField(_("LightGBM模型"), blank=True, default="")
    metrics = models.JSONField(_("回测指标"), default=dict, blank=True)
    finished_projects = models.PositiveIntegerField(_("已完成项目数"), default=0)
    window_start = models.DateField(_("数据起始"), null=True, blank=True)
    window_end = models.DateField(_("数据截止"), null=True, blank=True)
    trained_at = models.DateTimeField(_("训练时间"), auto_now_add=True)
    is_active = models.BooleanField(_("启用"), default=True)

    class Meta:
        verbose_name = _("预警模型")
        verbose_name_plural = _("预警模型")
        ordering = ["-trained_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["version", "outcome"], name="uniq_warning_model")
        ]

    def __str__(self) -> str:
        return f"{self.version} {self.outcome} {self.algorithm}"


class EarlyWarning(models.Model):
    """The latest probabilities of one open project with the three factors pushing most."""

    project = models.OneToOneField(
        "projects.Project",
        verbose_name=_("项目"),
        on_delete=models.CASCADE,
        related_name="early_warning",
    )
    model_version = models.CharField(_("模型版本"), max_length=40)
    slip_probability = models.FloatField(_("延期概率"))
    overrun_probability = models.FloatField(_("超支概率"))
    factors = models.JSONField(_("主要因素"), default=dict, blank=True)
    computed_at = models.DateTimeField(_("计算时间"), auto_now=True)

    class Meta:
        verbose_name = _("预警")
        verbose_name_plural = _("预警")

    def __str__(self) -> str:
        return f"{self.project_id} {self.slip_probability:.2f}/{self.overrun_probability:.2f}"
