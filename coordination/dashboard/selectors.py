"""Reads for the managers' home page and the portfolio: "what needs me today" and "which projects
are in trouble". Each function runs a fixed number of queries whatever the portfolio size; the
feature apps' own selectors and rules are reused (projects.changes.selectors.awaiting,
projects.changes.services.DEPARTMENT_ROLES / required_departments, handover.permissions roles,
coordination.kickoff.selectors.pending_signatories, coordination.dashboard.health)."""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db.models import (
    BooleanField,
    Count,
    Exists,
    ExpressionWrapper,
    OuterRef,
    Q,
    QuerySet,
    Value,
)
from django.utils import timezone

from coordination.core import forms as core_forms
from coordination.core.models import AuditEvent, Department, Notification
from coordination.core.people import display_name
from coordination.core.roles import (
    can_write,
    department_of,
    is_executive,
    is_pmo,
    sees_everything,
)
from coordination.dashboard import health
from coordination.kickoff.models import CollaborationCommitment
from coordination.reviews import services as reviews
from coordination.reviews.models import ActionItem, Review, ReviewCadence
from handover.models import Handover, HandoverItem
from projects.changes import rules as change_rules
from projects.changes import services as changes
from projects.changes.models import ChangeRequest
from projects.changes.selectors import awaiting, awaiting_assessment
from projects.core.models import (
    OPEN_STAGES,
    STAGE_ORDER,
    Customer,
    MemberRole,
    PrimaryOwner,
    Project,
    ProjectMembership,
    Stage,
)
from projects.core.roles import BUSINESS_ROLES, ENGINEERING_ROLES
from projects.core.selectors import (
    customer_contains,
    my_project_ids,
    pm_contains,
    project_list,
    role_on_project_q,
    visible_projects,
)
from projects.presales.models import FeasibilityAssessment

HOME_LIMIT = 10
PORTFOLIO_LIMIT = 500  # projects examined when filtering by health (a Python rule)
# Both views render in one page (the tabs switch without a request), so their sizes add up:
# at most 9 columns of BOARD_COLUMN_PAGE cards (about 1 KB each with three reasons) and
# PORTFOLIO_PAGE rows (about 2 KB with every reason) keep it under 200 KB at any number of
# projects (tests/dashboard/test_portfolio.py, the worst page).
PORTFOLIO_PAGE = 25  # projects on one page of the table
BOARD_COLUMN_PAGE = 8  # cards on one page of a board column (its "more" adds the next)


def my_projects_q(user) -> Q:
    return Q(pk__in=my_project_ids(user))


def my_open_projects(user, *, limit: int = 50) -> list[Project]:
    """Open projects where `user` is a PM or a member, key projects first, with `.health`."""
    rows = list(
        project_list(user)
        .filter(my_projects_q(user))
        .exclude(stage__in=[Stage.CLOSED, Stage.CANCELLED])
        .order_by("-is_key_project", "code")[:limit]
    )
    health.attach_health(rows)
    rows.sort(key=lambda p: (-p.health.rank, not p.is_key_project, p.code))
    return rows


# ---------------------------------------------------------------- approvals waiting for me
def change_requests_to_decide(user) -> list[ChangeRequest]:
    """Assessed change requests awaiting a department `user` acts for; each row carries
    `.my_departments` (the undecided required departments the user may decide for)."""
    rows = list(
        ChangeRequest.objects.filter(pk__in=awaiting(user).values("pk"))
        .filter(project__in=visible_projects(user))
        .select_related("project", "requested_by")
        .prefetch_related("decisions")
        .order_by("assessed_at", "id")[:HOME_LIMIT]
    )
    if not rows:
        return rows
    roles: dict[int, set[str]] = {}
    for project_id, role in ProjectMembership.objects.filter(
        user=user, project_id__in={cr.project_id for cr in rows}
    ).values_list("project_id", "role"):
        roles.setdefault(project_id, set()).add(role)
    for cr in rows:
        mine = set(roles.get(cr.project_id, set()))
        if cr.project.business_pm_id == user.pk:
            mine.add(MemberRole.BUSINESS_PM)
        if cr.project.engineering_pm_id == user.pk:
            mine.add(MemberRole.ENGINEERING_PM)
        decided = {d.department for d in cr.decisions.all()}
        cr.my_departments = change_rules.open_departments(cr, user, mine, decided)
        cr.my_department_labels = [changes.DEPARTMENT_LABELS[d] for d in cr.my_departments]
        cr.my_department_choices = list(
            zip(cr.my_departments, cr.my_department_labels, strict=True)
        )
    return [cr for cr in rows if cr.my_departments]


def change_requests_to_assess(user) -> QuerySet[ChangeRequest]:
    return (
        ChangeRequest.objects.filter(pk__in=awaiting_assessment(user).values("pk"))
        .filter(project__in=visible_projects(user))
        .select_related("project")
        .order_by("submitted_at", "id")
    )


def assessments_to_approve(user) -> QuerySet[FeasibilityAssessment]:
    """Submitted feasibility assessments on projects where `user` is the engineering director."""
    if not user or not user.is_authenticated:
        return FeasibilityAssessment.objects.none()
    director = ProjectMembership.objects.filter(
        project=OuterRef("project"), user=user, role=MemberRole.ENGINEERING_DIRECTOR
    )
    return (
        FeasibilityAssessment.objects.filter(status=FeasibilityAssessment.Status.SUBMITTED)
        .filter(Exists(director))
        .select_related("project", "author")
        .order_by("submitted_at", "id")
    )


def _side_q(user, roles: set[str], *, department_members: bool) -> Q:
    """Handovers whose project has `user` in one of `roles` (PM roles from the project)."""
    q = role_on_project_q(user, roles)
    if department_members:
        # handover.permissions.is_business_side: business staff with any role on the project
        anyone = ProjectMembership.objects.filter(project=OuterRef("project"), user=user)
        q |= Q(Exists(anyone)) | Q(project__engineering_pm=user)
    return q


def handovers_waiting(user) -> list:
    """Handovers waiting for `user`'s side: items to provide (business side, draft/returned
    handover) and items to review (engineering side, submitted/returned). One query."""
    if not user or not user.is_authenticated:
        return []
    business_q = _side_q(
        user, BUSINESS_ROLES, department_members=department_of(user) == Department.BUSINESS
    )
    engineering_q = _side_q(user, ENGINEERING_ROLES, department_members=False)
    to_provide = Count(
        "items",
        filter=Q(
            items__status__in=[HandoverItem.Status.PENDING, HandoverItem.Status.REJECTED],
        ),
    )
    to_review = Count("items", filter=Q(items__status=HandoverItem.Status.PROVIDED))
    open_for_business = [Handover.Status.DRAFT, Handover.Status.RETURNED]
    open_for_engineering = [Handover.Status.SUBMITTED, Handover.Status.RETURNED]
    rows = list(
        # both sides need the user on the project, so their projects bound the scan (a PMO
        # sees every project but waits only on handovers of projects they are on)
        Handover.objects.filter(project__in=my_project_ids(user))
        .exclude(status=Handover.Status.ACCEPTED)
        .annotate(to_provide=to_provide, to_review=to_review)
        .annotate(
            business_side=ExpressionWrapper(business_q, output_field=BooleanField()),
            engineering_side=ExpressionWrapper(engineering_q, output_field=BooleanField()),
        )
        .filter(
            Q(business_side=True, status__in=open_for_business, to_provide__gt=0)
            | Q(engineering_side=True, status__in=open_for_engineering, to_review__gt=0)
        )
        .select_related("project")
        .order_by("due_date", "id")[:HOME_LIMIT]
    )
    today = timezone.localdate()
    for h in rows:
        h.my_side = (
            "business"
            if h.business_side and h.status in open_for_business and h.to_provide
            else "engineering"
        )
        h.is_overdue = h.due_date < today
    return rows


def commitments_to_sign(user) -> list:
    """Open collaboration commitments listing `user` as a signatory who has not signed yet.
    Two queries: the open commitments of the user's projects and their signatures."""
    if not user or not user.is_authenticated:
        return []
    rows = (
        CollaborationCommitment.objects.filter(status=CollaborationCommitment.Status.OPEN)
        .filter(project__in=my_project_ids(user))
        .select_related("project")
        .prefetch_related("signatures")
        .order_by("opened_at", "id")
    )
    out = []
    for c in rows:
        signed = {(s.signer_id, s.role) for s in c.signatures.all()}
        mine = [
            s
            for s in c.required_signatories
            if s.get("user_id") == user.pk and (s["user_id"], s.get("role")) not in signed
        ]
        if mine:
            c.my_roles = [s.get("role") for s in mine]
            out.append(c)
    return out[:HOME_LIMIT]


@dataclass
class Approvals:
    change_requests: list = field(default_factory=list)
    to_assess: list = field(default_factory=list)
    assessments: list = field(default_factory=list)
    handovers: list = field(default_factory=list)
    commitments: list = field(default_factory=list)

    @property
    def total(self) -> int:
        return (
            len(self.change_requests)
            + len(self.to_assess)
            + len(self.assessments)
            + len(self.handovers)
            + len(self.commitments)
        )


def approvals_for(user) -> Approvals:
    """Everything waiting for `user`'s decision; nothing for a read-only role (can_write),
    whose every action on these lists would be refused."""
    if not can_write(user):
        return Approvals()
    return Approvals(
        change_requests=change_requests_to_decide(user),
        to_assess=list(change_requests_to_assess(user)[:HOME_LIMIT]),
        assessments=list(assessments_to_approve(user)[:HOME_LIMIT]),
        handovers=handovers_waiting(user),
        commitments=commitments_to_sign(user),
    )


# ---------------------------------------------------------------- my action items, my reviews
def my_action_items(user, *, today: datetime.date | None = None, limit: int = HOME_LIMIT):
    """My open action items, overdue first (then by due date); with the open/overdue counts."""
    today = today or timezone.localdate()
    base = ActionItem.objects.filter(owner=user, status=ActionItem.Status.OPEN)
    counts = base.aggregate(open=Count("pk"), overdue=Count("pk", filter=Q(due_date__lt=today)))
    rows = list(base.select_related("project", "review").order_by("due_date", "id")[:limit])
    for item in rows:
        item.is_overdue = item.due_date < today
        item.can_update = reviews.can_edit_action_item(user, item)  # their own: no query
    return rows, counts


def my_next_reviews(user, *, limit: int = 5) -> list:
    """Scheduled reviews still to come that I take part in or that belong to my projects."""
    participant = ReviewCadence.participants.through.objects.filter(
        reviewcadence_id=OuterRef("cadence_id"), user=user
    )
    mine = my_project_ids(user)
    return list(
        Review.objects.filter(status=Review.Status.SCHEDULED, starts_at__gte=timezone.now())
        .filter(Q(Exists(participant)) | Q(project__in=mine))
        .select_related("project", "cadence")
        .order_by("starts_at", "id")[:limit]
    )


# ---------------------------------------------------------------- the home page's counters
def counters(approvals: Approvals, action_counts: dict, my_health: dict, unread: int) -> dict:
    """The home page's four numbers from what its cards read: waiting for me (approvals),
    my overdue action items, my red projects, my unread notifications."""
    return {
        "approvals": approvals.total,
        "overdue": action_counts["overdue"],
        "red": my_health[health.RED],
        "unread": unread,
    }


def live_counters(user) -> dict:
    """The same four numbers alone, for the page's poll: the same selectors as the full page
    (no row of action items read), a constant number of queries."""
    _rows, action_counts = my_action_items(user, limit=0)
    return counters(
        approvals_for(user),
        action_counts,
        health.summary(my_open_projects(user)),
        Notification.unread_of(user).count(),
    )


# ---------------------------------------------------------------- portfolio
BOARD_STAGES = [*OPEN_STAGES, Stage.ON_HOLD]


def _portfolio_projects(
    user,
    *,
    department: str = "",
    pm: int | str | None = None,
    customer: int | str | None = None,
    key_only: bool = False,
    include_closed: bool = False,
) -> QuerySet[Project]:
    """Visible projects, filtered, in the portfolio's order (key projects first, by code)."""
    qs = project_list(user)
    if not include_closed:
        qs = qs.exclude(stage__in=[Stage.CLOSED, Stage.CANCELLED])
    if department in PrimaryOwner.values:
        qs = qs.filter(primary_owner=department)
    if isinstance(pm, str):  # typed (a long list): username or name contains it
        if pm.strip():
            qs = qs.filter(pm_contains(pm.strip(), "business_pm", "engineering_pm"))
    elif pm:
        qs = qs.filter(Q(business_pm_id=pm) | Q(engineering_pm_id=pm))
    if isinstance(customer, str):  # typed: name or ERP id contains it
        if customer.strip():
            qs = qs.filter(customer_contains(customer.strip()))
    elif customer:
        qs = qs.filter(customer_id=customer)
    if key_only:
        qs = qs.filter(is_key_project=True)
    return qs.order_by("-is_key_project", "code")


def _by_health(rows: list[Project]) -> list[Project]:
    rows.sort(key=lambda p: (-p.health.rank, not p.is_key_project, p.code))
    return rows


def portfolio(user, *, level: str = "", **filters) -> list[Project]:
    """Visible projects, filtered, each with `.health`, red first; at most PORTFOLIO_LIMIT
    (in the portfolio's order) are examined; constant queries."""
    rows = health.attach_health(_portfolio_projects(user, **filters)[:PORTFOLIO_LIMIT])
    if level in health.LEVELS:
        rows = [p for p in rows if p.health.level == level]
    return _by_health(rows)


@dataclass
class PortfolioPage:
    """One page of the portfolio: its projects (with `.health`, red first within the page),
    how many match in all, and where the page is."""

    projects: list[Project]
    total: int
    number: int
    num_pages: int
    size: int
    examined: int | None  # a health filter examined only this many projects (else None)

    @property
    def has_previous(self) -> bool:
        return self.number > 1

    @property
    def has_next(self) -> bool:
        return self.number < self.num_pages

    @property
    def first_index(self) -> int:
        return (self.number - 1) * self.size + 1 if self.projects else 0

    @property
    def last_index(self) -> int:
        return (self.number - 1) * self.size + len(self.projects)


def portfolio_page_of(matching: list, page: int, size: int, *, examined) -> PortfolioPage:
    total = len(matching)
    num_pages = max(1, -(-total // size))
    number = min(max(1, page), num_pages)
    rows = matching[(number - 1) * size : number * size]
    return PortfolioPage(rows, total, number, num_pages, size, examined)


def _board_order(rows: list[Project]) -> list[Project]:
    rows.sort(key=lambda p: (not p.is_key_project, p.code))  # the index's order
    return rows


def board_stages(*, include_closed: bool = False) -> list[str]:
    return [*BOARD_STAGES, Stage.CLOSED, Stage.CANCELLED] if include_closed else BOARD_STAGES


@dataclass
class BoardColumn:
    """One stage of the board: a page of BOARD_COLUMN_PAGE cards in the portfolio's order,
    and how many projects the stage holds in all (the filters applied)."""

    stage: str
    label: str
    total: int
    number: int = 1
    size: int = 0
    projects: list = field(default_factory=list)

    @property
    def first_index(self) -> int:
        return (self.number - 1) * self.size + 1 if self.projects else 0

    @property
    def last_index(self) -> int:
        return (self.number - 1) * self.size + len(self.projects)

    @property
    def has_next(self) -> bool:
        return self.last_index < self.total

    @property
    def remaining(self) -> int:
        return max(0, self.total - self.last_index)

    @property
    def next_number(self) -> int:
        return self.number + 1

    @property
    def has_previous(self) -> bool:
        return self.number > 1


@dataclass
class Portfolio:
    """What the portfolio page shows: the table's page and the board's columns, their
    projects carrying `.health`."""

    page: PortfolioPage
    columns: list[BoardColumn]

    @property
    def shown(self) -> list[Project]:
        seen, out = set(), []
        for p in [*self.page.projects, *(p for c in self.columns for p in c.projects)]:
            if p.pk not in seen:
                seen.add(p.pk)
                out.append(p)
        return out


def _column_number(total: int, size: int, wanted: int) -> int:
    return min(max(1, wanted), max(1, -(-total // size)))


def portfolio_view(
    user,
    *,
    page: int = 1,
    level: str = "",
    columns: dict[str, int] | None = None,
    only: str | None = None,
    **filters,
) -> Portfolio:
    """The table's page (PORTFOLIO_PAGE projects) and the board's columns (each stage's page
    of BOARD_COLUMN_PAGE cards, page numbers in `columns`, first pages otherwise; `only`: that
    column alone, for its "more" button), whatever the number of projects: without a health
    filter, the stages' totals from one grouped query, the ids of every page in one statement
    (a UNION ALL of per-stage index reads, project_board_order), the projects in one query
    and their health once. Constant queries."""
    columns = columns or {}
    size, col_size = PORTFOLIO_PAGE, BOARD_COLUMN_PAGE
    stages = board_stages(include_closed=filters.get("include_closed", False))
    if only is not None:
        stages = [s for s in stages if s == only]
    labels = {s: Stage(s).label for s in stages}
    if level in health.LEVELS:  # a Python rule: among the first PORTFOLIO_LIMIT
        matching = portfolio(user, level=level, **filters)
        table = portfolio_page_of(matching, page, size, examined=PORTFOLIO_LIMIT)
        by_stage: dict[str, list] = {s: [] for s in stages}
        for p in _board_order(list(matching)):
            if p.stage in by_stage:
                by_stage[p.stage].append(p)
        cols = []
        for s in stages:
            number = _column_number(len(by_stage[s]), col_size, columns.get(s, 1))
            rows = by_stage[s][(number - 1) * col_size : number * col_size]
            cols.append(BoardColumn(s, labels[s], len(by_stage[s]), number, col_size, rows))
        return Portfolio(table, cols)
    qs = _portfolio_projects(user, **filters)
    counts = dict(qs.order_by().values_list("stage").annotate(n=Count("pk")))
    total = sum(counts.values()) if only is None else 0
    num_pages = max(1, -(-total // size))
    number = min(max(1, page), num_pages)
    numbers = {s: _column_number(counts.get(s, 0), col_size, columns.get(s, 1)) for s in stages}
    parts = [
        qs.filter(stage=s)
        .annotate(part=Value(s))
        .values_list("pk", "part")[(numbers[s] - 1) * col_size : numbers[s] * col_size]
        for s in stages
        if counts.get(s)
    ]
    if only is None and total:
        table_part = qs.annotate(part=Value("")).values_list("pk", "part")
        parts.append(table_part[(number - 1) * size : number * size])
    where: dict[int, set[str]] = {}
    if parts:
        for pk, part in parts[0].union(*parts[1:], all=True):
            where.setdefault(pk, set()).add(part)
    rows = _board_order(health.attach_health(qs.filter(pk__in=list(where)))) if where else []
    table = [p for p in rows if "" in where[p.pk]]
    cols = [
        BoardColumn(
            s,
            labels[s],
            counts.get(s, 0),
            numbers[s],
            col_size,
            [p for p in rows if s in where[p.pk]],
        )
        for s in stages
    ]
    return Portfolio(PortfolioPage(_by_health(table), total, number, num_pages, size, None), cols)


def filter_choices(user) -> dict:
    """Customers and PMs of the visible projects (two queries). A list longer than
    CHOICE_LIMIT is None: the form then takes a typed search instead of a pick."""
    User = get_user_model()
    customers, pms = Customer.objects.all(), User.objects.all()
    if sees_everything(user):  # every customer; PMs probed by index, no pass over all projects
        pms = pms.filter(
            Exists(Project.objects.filter(business_pm=OuterRef("pk")))
            | Exists(Project.objects.filter(engineering_pm=OuterRef("pk")))
        )
    else:  # the user's projects are few: their customers and PMs by id
        projects = visible_projects(user).order_by()
        customers = customers.filter(pk__in=projects.values("customer_id"))
        pms = pms.filter(
            pk__in=projects.values("business_pm_id").union(projects.values("engineering_pm_id"))
        )
    customers = list(customers.order_by("name", "pk")[: core_forms.CHOICE_LIMIT + 1])
    pms = list(pms.order_by("username")[: core_forms.CHOICE_LIMIT + 1])
    return {
        "customers": (
            [(c.pk, c.name) for c in customers]
            if len(customers) <= core_forms.CHOICE_LIMIT
            else None
        ),
        "pms": (
            [(u.pk, display_name(u)) for u in pms] if len(pms) <= core_forms.CHOICE_LIMIT else None
        ),
        "departments": list(PrimaryOwner.choices),
        "levels": [(lv, health.LEVEL_LABELS[lv]) for lv in health.LEVELS],
    }


STAGE_INDEX = {s: i for i, s in enumerate(STAGE_ORDER)}


# ---------------------------------------------------------------- PMO's and executives' home
@dataclass
class Waiver:
    """A stage move PMO made with a waiver: which project, to what stage, which conditions
    were waived, why, by whom, when."""

    project_code: str
    project_name: str
    stage_label: str
    waived: list
    reason: str
    by: str
    at: datetime.datetime


def company_overview(user, *, limit: int = 10) -> dict | None:
    """What PMO and executives see on their home page (they own no project): the company's
    red projects (among the portfolio's first PORTFOLIO_LIMIT) and the latest waivers.
    None for everyone else. Constant queries."""
    if not (is_pmo(user) or is_executive(user)):
        return None
    red = portfolio(user, level="red")[:limit]
    events = list(
        AuditEvent.objects.filter(action="project.stage_override")
        .select_related("actor")
        .order_by("-created_at", "-id")[:limit]
    )
    names = dict(
        Project.objects.filter(code__in={e.project_code for e in events}).values_list(
            "code", "name"
        )
    )
    waivers = []
    for e in events:
        after = e.after or {}
        stage = after.get("stage")
        waivers.append(
            Waiver(
                project_code=e.project_code,
                project_name=names.get(e.project_code, ""),
                stage_label=str(Stage(stage).label) if stage in Stage.values else "",
                waived=list(after.get("overridden") or []),
                reason=e.reason,
                by=display_name(e.actor) if e.actor else e.actor_label,
                at=e.created_at,
            )
        )
    return {"red": red, "waivers": waivers, "examined": PORTFOLIO_LIMIT}
