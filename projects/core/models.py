"""Customers, projects with dual PMs, members, milestones, risks and the stage log."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from coordination.core.models import Department, Timestamped, Versioned


class Customer(Versioned, Timestamped):
    erp_id = models.CharField(_("ERP编号"), max_length=64, unique=True, null=True, blank=True)
    name = models.CharField(_("客户名称"), max_length=200)
    contact_name = models.CharField(_("联系人"), max_length=100, blank=True, default="")
    contact_email = models.EmailField(_("联系邮箱"), blank=True, default="")
    contact_phone = models.CharField(_("联系电话"), max_length=40, blank=True, default="")
    address = models.CharField(_("地址"), max_length=255, blank=True, default="")
    notes = models.TextField(_("备注"), blank=True, default="")

    class Meta:
        verbose_name = _("客户")
        verbose_name_plural = _("客户")
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class Stage(models.TextChoices):
    OPPORTUNITY = "opportunity", _("商机/投标")
    CONTRACTED = "contracted", _("已签约")
    HANDOVER = "handover", _("移交中")
    KICKOFF = "kickoff", _("启动")
    EXECUTION = "execution", _("实施")
    DELIVERED = "delivered", _("已交付")
    CLOSED = "closed", _("已关闭")
    ON_HOLD = "on_hold", _("暂停")
    CANCELLED = "cancelled", _("已取消")


# The main line, in order; on_hold and cancelled stand beside it.
STAGE_ORDER = [
    Stage.OPPORTUNITY,
    Stage.CONTRACTED,
    Stage.HANDOVER,
    Stage.KICKOFF,
    Stage.EXECUTION,
    Stage.DELIVERED,
    Stage.CLOSED,
]
OPEN_STAGES = STAGE_ORDER[:-1]
CLOSED_STAGES = frozenset({Stage.CLOSED, Stage.CANCELLED})


class PrimaryOwner(models.TextChoices):
    BUSINESS = "business", _("业务主责")
    ENGINEERING = "engineering", _("工程主责")


class Project(Versioned, Timestamped):
    code = models.CharField(_("项目编号"), max_length=40, unique=True)
    erp_id = models.CharField(_("ERP编号"), max_length=64, unique=True, null=True, blank=True)
    name = models.CharField(_("项目名称"), max_length=200)
    customer = models.ForeignKey(
        Customer, verbose_name=_("客户"), on_delete=models.PROTECT, related_name="projects"
    )
    stage = models.CharField(
        _("阶段"), max_length=20, choices=Stage.choices, default=Stage.OPPORTUNITY, db_index=True
    )
    stage_before_hold = models.CharField(
        _("暂停前阶段"), max_length=20, choices=Stage.choices, blank=True, default=""
    )
    stage_changed_at = models.DateTimeField(_("阶段变更时间"), null=True, blank=True)
    is_key_project = models.BooleanField(_("重点项目"), default=False, db_index=True)
    business_pm = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("业务项目经理"),
        on_delete=models.PROTECT,
        related_name="business_projects",
    )
    engineering_pm = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("工程项目经理"),
        on_delete=models.PROTECT,
        related_name="engineering_projects",
    )
    primary_owner = models.CharField(
        _("主责方"), max_length=20, choices=PrimaryOwner.choices, default=PrimaryOwner.BUSINESS
    )
    contract_value = models.DecimalField(
        _("合同金额"), max_digits=16, decimal_places=2, default=Decimal("0")
    )
    currency = models.CharField(_("币种"), max_length=3, default="CNY")
    baseline_budget = models.DecimalField(
        _("基线预算"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    forecast_budget = models.DecimalField(
        _("预测预算"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    contract_signed_on = models.DateField(_("签约日期"), null=True, blank=True)
    planned_start = models.DateField(_("计划开始"), null=True, blank=True)
    planned_end = models.DateField(_("计划完成"), null=True, blank=True)
    forecast_end = models.DateField(_("预测完成"), null=True, blank=True)
    actual_start = models.DateField(_("实际开始"), null=True, blank=True)
    actual_end = models.DateField(_("实际完成"), null=True, blank=True)
    description = models.TextField(_("项目概述"), blank=True, default="")
    customer_core_needs = models.TextField(_("客户核心需求"), blank=True, default="")
    expected_standards = models.TextField(_("预期标准"), blank=True, default="")

    class Meta:
        verbose_name = _("项目")
        verbose_name_plural = _("项目")
        ordering = ["-created_at", "-id"]
        # The default order of the project list and API: a page is an index scan, not a
        # sort of every visible project (docs/performance.md).
        indexes = [
            models.Index(fields=["-created_at", "-id"], name="project_created_desc"),
            # the portfolio's order (key projects first, then by code), read a page at a time
            models.Index(fields=["-is_key_project", "code"], name="project_portfolio_order"),
            # a board column: one stage in that order, BOARD_COLUMN_PAGE cards at a time
            models.Index(fields=["stage", "-is_key_project", "code"], name="project_board_order"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(contract_value__gte=0), name="project_contract_value_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(planned_end__isnull=True)
                | Q(planned_start__isnull=True)
                | Q(planned_end__gte=models.F("planned_start")),
                name="project_planned_end_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def primary_pm(self):
        return (
            self.business_pm if self.primary_owner == PrimaryOwner.BUSINESS else self.engineering_pm
        )


# A project's fields as the API shows them, in the order of its responses and schema. Every
# list of project fields derives from this one (what writers set, the serializer's, the
# project list's values()).
PROJECT_SHOWN_FIELDS = [
    "code",
    "erp_id",
    "name",
    "stage",
    "stage_changed_at",
    "customer",
    "business_pm",
    "engineering_pm",
    "primary_owner",
    "is_key_project",
    "contract_value",
    "currency",
    "baseline_budget",
    "forecast_budget",
    "contract_signed_on",
    "planned_start",
    "planned_end",
    "forecast_end",
    "actual_start",
    "actual_end",
    "description",
    "customer_core_needs",
    "expected_standards",
    "created_at",
    "updated_at",
]
# Set by the system, never by a writer: the code is generated, the stage and its time change
# through transitions, the timestamps are written on save.
PROJECT_READ_ONLY_FIELDS = ["code", "stage", "stage_changed_at", "created_at", "updated_at"]


def check_planned_dates(start, end) -> None:
    """The rule of the `project_planned_end_after_start` constraint, as a field error on
    planned_end (services and the ERP serializer report it before the database would)."""
    if start and end and end < start:
        raise ValidationError({"planned_end": [gettext("计划完成日期不能早于计划开始日期。")]})


class MemberRole(models.TextChoices):
    BUSINESS_PM = "business_pm", _("业务项目经理")
    ENGINEERING_PM = "engineering_pm", _("工程项目经理")
    BUSINESS_LEAD = "business_lead", _("业务负责人")
    ENGINEERING_DIRECTOR = "engineering_director", _("工程总监")
    TECH_LEAD = "tech_lead", _("技术负责人")
    FINANCE_REP = "finance_rep", _("财务代表")
    MEMBER = "member", _("成员")


class ProjectMembership(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="project_memberships"
    )
    role = models.CharField(_("项目角色"), max_length=30, choices=MemberRole.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("项目成员")
        verbose_name_plural = _("项目成员")
        constraints = [
            models.UniqueConstraint(fields=["project", "user", "role"], name="uniq_member_role")
        ]

    def __str__(self) -> str:
        return f"{self.project.code} {self.user.get_username()} {self.get_role_display()}"


class DefaultMember(models.Model):
    """A department default: who takes `role` on every new project (of `customer`, or of the
    company when `customer` is empty). For a role, a customer's own defaults replace the
    company's (projects.core.team.default_members_for). Set by PMO in the admin."""

    role = models.CharField(_("项目角色"), max_length=30, choices=MemberRole.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("人员"),
        on_delete=models.CASCADE,
        related_name="default_memberships",
    )
    customer = models.ForeignKey(
        Customer,
        verbose_name=_("客户"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="default_members",
        help_text=_("留空：公司默认；填写：仅该客户的新项目，并替代该角色的公司默认"),
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("部门默认成员")
        verbose_name_plural = _("部门默认成员")
        ordering = ["customer", "role", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["role", "user"],
                condition=Q(customer__isnull=True),
                name="uniq_company_default_member",
            ),
            models.UniqueConstraint(
                fields=["customer", "role", "user"], name="uniq_customer_default_member"
            ),
        ]

    def __str__(self) -> str:
        scope = self.customer.name if self.customer_id else gettext("公司默认")
        return f"{scope}: {self.get_role_display()} {self.user.get_username()}"


class Milestone(Versioned, models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", _("计划中")
        IN_PROGRESS = "in_progress", _("进行中")
        DONE = "done", _("已完成")
        CANCELLED = "cancelled", _("已取消")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="milestones")
    name = models.CharField(_("里程碑"), max_length=200)
    description = models.TextField(_("说明"), blank=True, default="")
    owner_department = models.CharField(
        _("负责部门"), max_length=20, choices=Department.choices, default=Department.ENGINEERING
    )
    baseline_date = models.DateField(_("基线日期"))
    forecast_date = models.DateField(_("预测日期"))
    actual_date = models.DateField(_("实际完成日期"), null=True, blank=True)
    status = models.CharField(
        _("状态"), max_length=20, choices=Status.choices, default=Status.PLANNED, db_index=True
    )
    is_committed = models.BooleanField(_("已承诺"), default=False)
    sequence = models.PositiveIntegerField(_("顺序"), default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        verbose_name = _("里程碑")
        verbose_name_plural = _("里程碑")
        ordering = ["project", "sequence", "baseline_date", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="done") | Q(actual_date__isnull=False),
                name="milestone_done_has_actual_date",
            )
        ]
        # the on-time delivery KPI reads the milestones due in a period (docs/performance.md)
        indexes = [models.Index(fields=["baseline_date"], name="milestone_baseline_date")]

    def __str__(self) -> str:
        return f"{self.project.code} {self.name}"

    @property
    def slip_days(self) -> int:
        return (self.forecast_date - self.baseline_date).days


class Risk(models.Model):
    class Category(models.TextChoices):
        TECHNICAL = "technical", _("技术")
        SCHEDULE = "schedule", _("进度")
        COST = "cost", _("成本")
        MATERIAL_PRICE = "material_price", _("材料涨价")
        LABOUR_SHORTAGE = "labour_shortage", _("劳动力短缺")
        CUSTOMER = "customer", _("客户")
        QUALITY = "quality", _("质量")
        SAFETY = "safety", _("安全")
        OTHER = "other", _("其他")

    class Status(models.TextChoices):
        OPEN = "open", _("未关闭")
        MITIGATING = "mitigating", _("应对中")
        CLOSED = "closed", _("已关闭")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="risks")
    title = models.CharField(_("风险"), max_length=200)
    description = models.TextField(_("描述"), blank=True, default="")
    category = models.CharField(
        _("类别"), max_length=30, choices=Category.choices, default=Category.OTHER
    )
    probability = models.PositiveSmallIntegerField(
        _("可能性(1-5)"), default=3, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    impact = models.PositiveSmallIntegerField(
        _("影响(1-5)"), default=3, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("负责人"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="owned_risks",
    )
    owner_department = models.CharField(
        _("负责部门"), max_length=20, choices=Department.choices, default=Department.ENGINEERING
    )
    mitigation = models.TextField(_("应对措施"), blank=True, default="")
    contingency = models.TextField(_("应急预案"), blank=True, default="")
    status = models.CharField(
        _("状态"), max_length=20, choices=Status.choices, default=Status.OPEN, db_index=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)

    class Meta:
        verbose_name = _("风险")
        verbose_name_plural = _("风险")
        ordering = ["project", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(probability__gte=1, probability__lte=5, impact__gte=1, impact__lte=5),
                name="risk_scores_in_range",
            )
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def score(self) -> int:
        return self.probability * self.impact


class StageTransition(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="transitions")
    from_stage = models.CharField(_("原阶段"), max_length=20, choices=Stage.choices)
    to_stage = models.CharField(_("新阶段"), max_length=20, choices=Stage.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.TextField(_("原因"), blank=True, default="")
    overridden = models.JSONField(_("被PMO豁免的条件"), default=list, blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("阶段变更")
        verbose_name_plural = _("阶段变更")
        ordering = ["project", "created_at", "id"]

    def __str__(self) -> str:
        return f"{self.project.code}: {self.from_stage} → {self.to_stage}"
