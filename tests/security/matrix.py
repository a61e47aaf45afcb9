"""The permission matrix: every URL route × method × role → expected status.

Role columns (tests/security/world.py ROLES), in this order:
    anon  erp  other_dept  non_member  biz_pm  eng_pm  finance  pmo  exec
Each write cell sends an empty body: 400/409/415 (or a re-rendered form, 200) means "allowed
past the permission check"; 401/403/404 (or 302 to the login page) means refused.
"kwargs" name the world object each URL parameter points at ("<object>.<attribute>").
"""

# Routes left out on purpose (not application endpoints).
EXEMPT = (
    "admin/",  # Django admin: staff only, its own permission system
    "^media/",  # DEBUG-only static serving of uploads
    "i18n/",  # set_language (Django)
    "jsi18n/",  # JavaScript catalog (Django)
    "api/schema/",  # the OpenAPI document (public, fuzzed by test_fuzz_api.py); slow to build
    "api/docs/",  # Swagger UI page for the schema
)

# fmt: off
MATRIX: dict[str, dict] = {
    # route: kwargs, then per method:  anon erp  oth  non  bpm  epm  fin  pmo  exec
    "": {
        "get":    "302 302 200 200 200 200 200 200 200",
        "post":   "302 302 200 200 200 200 200 200 200",
    },
    "accounts/login/": {
        "get":    "200 200 200 200 200 200 200 200 200",
        "post":   "200 200 200 200 200 200 200 200 200",
        "put":    "200 200 200 200 200 200 200 200 200",
    },
    "accounts/logout/": {
        "get":    "405 405 405 405 405 405 405 405 405",
        "post":   "302 302 302 302 302 302 302 302 302",
    },
    "api/v1/action-items/": {
        "get":    "401 200 200 200 200 200 200 200 200",
    },
    "api/v1/action-items/<int:pk>/": {
        "kwargs": {"pk": "action_item.pk"},
        "get":    "401 200 200 404 200 200 200 200 200",
        "patch":  "401 403 403 404 200 200 403 200 403",
    },
    "api/v1/auth/token/": {
        "post":   "400 400 400 400 400 400 400 400 400",
    },
    "api/v1/change-requests/": {
        "get":    "401 200 200 200 200 200 200 200 200",
    },
    "api/v1/change-requests/<int:pk>/": {
        "kwargs": {"pk": "cr.pk"},
        "get":    "401 200 200 404 200 200 200 200 200",
        "patch":  "401 403 403 404 200 200 403 200 403",
    },
    "api/v1/change-requests/<int:pk>/approve/": {
        "kwargs": {"pk": "cr.pk"},
        "post":   "401 403 403 404 409 409 403 403 403",
    },
    "api/v1/change-requests/<int:pk>/assess/": {
        "kwargs": {"pk": "cr.pk"},
        "post":   "401 403 400 404 400 400 400 400 400",
    },
    "api/v1/change-requests/<int:pk>/implement/": {
        "kwargs": {"pk": "cr.pk"},
        "post":   "401 403 403 404 409 409 403 403 403",
    },
    "api/v1/change-requests/<int:pk>/reject/": {
        "kwargs": {"pk": "cr.pk"},
        "post":   "401 403 400 404 400 400 400 400 400",
    },
    "api/v1/change-requests/<int:pk>/submit/": {
        "kwargs": {"pk": "cr.pk"},
        "post":   "401 403 403 404 200 200 403 200 403",
    },
    "api/v1/change-requests/<int:pk>/withdraw/": {
        "kwargs": {"pk": "cr.pk"},
        "post":   "401 403 403 404 200 200 403 403 403",
    },
    "api/v1/commitments/<int:pk>/": {
        "kwargs": {"pk": "commitment.pk"},
        "get":    "401 200 200 404 200 200 200 200 200",
    },
    "api/v1/commitments/<int:pk>/amend/": {
        "kwargs": {"pk": "commitment.pk"},
        "post":   "401 403 403 404 400 400 403 400 403",
    },
    "api/v1/commitments/<int:pk>/sign/": {
        "kwargs": {"pk": "commitment.pk"},
        "post":   "401 403 403 404 200 200 200 403 403",
    },
    "api/v1/commitments/<int:pk>/verify/": {
        "kwargs": {"pk": "commitment.pk"},
        "get":    "401 200 200 404 200 200 200 200 200",
    },
    "api/v1/customers/": {
        "get":    "401 200 200 200 200 200 200 200 200",
        "post":   "401 400 403 400 400 403 403 400 400",
    },
    "api/v1/customers/<int:pk>/": {
        "kwargs": {"pk": "customer.pk"},
        "get":    "401 200 200 200 200 200 200 200 200",
        "patch":  "401 200 403 200 200 403 403 200 200",
    },
    "api/v1/erp/customers/<str:erp_id>/": {
        "kwargs": {"erp_id": "customer.erp_id"},
        "put":    "401 400 403 400 400 403 403 400 400",
    },
    "api/v1/erp/projects/<str:erp_id>/": {
        "kwargs": {"erp_id": "project.erp_id"},
        "put":    "401 400 403 400 400 403 403 400 400",
    },
    "api/v1/erp/projects/bulk/": {
        "post":   "401 400 403 400 400 403 403 400 400",
    },
    "api/v1/feasibility/<int:pk>/": {
        "kwargs": {"pk": "feasibility.pk"},
        "get":    "401 200 200 404 200 200 200 200 200",
        "patch":  "401 403 409 404 403 409 403 403 403",
    },
    "api/v1/feasibility/<int:pk>/approve/": {
        "kwargs": {"pk": "feasibility.pk"},
        "post":   "401 403 403 404 403 403 403 403 403",
    },
    "api/v1/feasibility/<int:pk>/copy-risks/": {
        "kwargs": {"pk": "feasibility.pk"},
        "post":   "401 403 409 404 403 409 403 403 403",
    },
    "api/v1/feasibility/<int:pk>/return/": {
        "kwargs": {"pk": "feasibility.pk"},
        "post":   "401 403 400 404 400 400 400 400 400",
    },
    "api/v1/feasibility/<int:pk>/submit/": {
        "kwargs": {"pk": "feasibility.pk"},
        "post":   "401 403 409 404 403 409 403 403 403",
    },
    "api/v1/handover-items/<int:item_id>/accept/": {
        "kwargs": {"item_id": "handover_item.pk"},
        "post":   "401 403 403 404 403 409 403 403 403",
    },
    "api/v1/handover-items/<int:item_id>/provide/": {
        "kwargs": {"item_id": "handover_item.pk"},
        "post":   "401 403 403 404 200 403 403 403 403",
    },
    "api/v1/handover-items/<int:item_id>/reject/": {
        "kwargs": {"item_id": "handover_item.pk"},
        "post":   "401 403 403 404 403 400 403 403 403",
    },
    "api/v1/job-rotations/": {
        "get":    "401 200 200 200 200 200 200 200 200",
        "post":   "401 403 400 400 400 400 400 400 400",
    },
    "api/v1/kpis/": {
        "get":    "401 200 200 200 200 200 200 200 200",
    },
    "api/v1/kpis/compare/": {
        "get":    "401 400 400 400 400 400 400 400 400",
    },
    "api/v1/kpis/scorecard/": {
        "get":    "401 200 200 200 200 200 200 200 200",
    },
    "api/v1/kpis/values/": {
        "get":    "401 200 200 200 200 200 200 200 200",
    },
    "api/v1/milestones/<int:pk>/": {
        "kwargs": {"pk": "milestone.pk"},
        "get":    "401 200 200 404 200 200 200 200 200",
        "patch":  "401 200 403 404 200 200 403 200 403",
    },
    "api/v1/projects/": {
        "get":    "401 200 200 200 200 200 200 200 200",
        "post":   "401 400 403 400 400 403 403 400 400",
    },
    "api/v1/projects/<str:code>/": {
        "kwargs": {"code": "project.code"},
        "get":    "401 200 200 404 200 200 200 200 200",
        "patch":  "401 200 403 404 200 200 403 200 403",
    },
    "api/v1/projects/<str:code>/cadences/": {
        "kwargs": {"code": "project.code"},
        "get":    "401 200 200 404 200 200 200 200 200",
        "post":   "401 400 400 404 400 400 400 400 400",
    },
    "api/v1/projects/<str:code>/change-requests/": {
        "kwargs": {"code": "project.code"},
        "get":    "401 200 200 404 200 200 200 200 200",
        "post":   "401 400 400 404 400 400 400 400 400",
    },
    "api/v1/projects/<str:code>/change-requests/measures/": {
        "kwargs": {"code": "project.code"},
        "get":    "401 200 200 404 200 200 200 200 200",
    },
    "api/v1/projects/<str:code>/commitment/": {
        "kwargs": {"code": "project.code"},
        "get":    "401 200 200 404 200 200 200 200 200",
    },
    "api/v1/projects/<str:code>/complaints/": {
        "kwargs": {"code": "project.code"},
        "get":    "401 200 200 404 200 200 200 200 200",
        "post":   "401 400 400 404 400 400 400 400 400",
    },
    "api/v1/projects/<str:code>/feasibility/": {
        "kwargs": {"code": "project.code"},
        "get":    "401 200 200 404 200 200 200 200 200",
        "post":   "401 400 400 404 400 400 400 400 400",
    },
    "api/v1/projects/<str:code>/handover/": {
        "kwargs": {"code": "project.code"},
        "get":    "401 200 200 404 200 200 200 200 200",
    },
    "api/v1/projects/<str:code>/handover/submit/": {
        "kwargs": {"code": "project.code"},
        "post":   "401 403 403 404 409 403 403 403 403",
    },
    "api/v1/projects/<str:code>/kickoff/": {
        "kwargs": {"code": "project.code"},
        "get":    "401 200 200 404 200 200 200 200 200",
        "post":   "401 400 400 404 400 400 400 400 400",
        "patch":  "401 200 403 404 200 200 403 200 403",
    },
    "api/v1/projects/<str:code>/kickoff/hold/": {
        "kwargs": {"code": "project.code"},
        "post":   "401 409 403 404 409 409 403 409 403",
    },
    "api/v1/projects/<str:code>/milestones/": {
        "kwargs": {"code": "project.code"},
        "get":    "401 200 200 404 200 200 200 200 200",
        "post":   "401 400 403 404 400 400 403 400 403",
    },
    "api/v1/projects/<str:code>/promise-gaps/": {
        "kwargs": {"code": "project.code"},
        "get":    "401 200 200 404 200 200 200 200 200",
    },
    "api/v1/projects/<str:code>/quote/": {
        "kwargs": {"code": "project.code"},
        "get":    "401 200 200 404 200 200 200 200 200",
        "put":    "401 400 400 404 400 400 400 400 400",
    },
    "api/v1/projects/<str:code>/risks/": {
        "kwargs": {"code": "project.code"},
        "get":    "401 200 200 404 200 200 200 200 200",
        "post":   "401 400 403 404 400 400 403 400 403",
    },
    "api/v1/projects/<str:code>/surveys/": {
        "kwargs": {"code": "project.code"},
        "get":    "401 200 200 404 200 200 200 200 200",
        "post":   "401 400 400 404 400 400 400 400 400",
    },
    "api/v1/projects/<str:code>/transition/": {
        "kwargs": {"code": "project.code"},
        "post":   "401 400 403 404 400 400 403 400 403",
    },
    "api/v1/reminders/": {
        "get":    "401 200 200 200 200 200 200 200 200",
    },
    "api/v1/reviews/": {
        "get":    "401 200 200 200 200 200 200 200 200",
    },
    "api/v1/reviews/<int:pk>/": {
        "kwargs": {"pk": "review.pk"},
        "get":    "401 200 200 404 200 200 200 200 200",
        "patch":  "401 403 403 404 200 200 403 200 403",
    },
    "api/v1/reviews/<int:pk>/action-items/": {
        "kwargs": {"pk": "review.pk"},
        "get":    "401 200 200 404 200 200 200 200 200",
        "post":   "401 403 400 404 400 400 400 400 400",
    },
    "api/v1/risks/<int:pk>/": {
        "kwargs": {"pk": "risk.pk"},
        "get":    "401 200 200 404 200 200 200 200 200",
        "patch":  "401 200 403 404 200 200 403 200 403",
    },
    "changes/<int:pk>/": {
        "kwargs": {"pk": "cr.pk"},
        "get":    "302 302 200 404 200 200 200 200 200",
        "post":   "302 302 200 404 200 200 200 200 200",
    },
    "changes/<int:pk>/<str:action>/": {
        "kwargs": {"pk": "cr.pk", "action": "approve"},
        "get":    "302 302 405 405 405 405 405 405 405",
        "post":   "302 302 302 404 409 409 302 302 302",
    },
    "changes/<int:pk>/assess/": {
        "kwargs": {"pk": "cr.pk"},
        "get":    "302 302 200 404 200 200 200 200 200",
        "post":   "302 302 200 404 200 200 200 200 200",
    },
    "changes/<int:pk>/edit/": {
        "kwargs": {"pk": "cr.pk"},
        "get":    "302 302 200 404 200 200 200 200 200",
        "post":   "302 302 200 404 200 200 200 200 200",
    },
    "changes/inbox/": {
        "get":    "302 302 200 200 200 200 200 200 200",
        "post":   "302 302 200 200 200 200 200 200 200",
    },
    "commitments/<int:pk>/": {
        "kwargs": {"pk": "commitment.pk"},
        "get":    "302 302 200 404 200 200 200 200 200",
        "post":   "302 302 200 404 200 200 200 200 200",
    },
    "commitments/<int:pk>/print/": {
        "kwargs": {"pk": "commitment.pk"},
        "get":    "302 302 200 404 200 200 200 200 200",
        "post":   "302 302 200 404 200 200 200 200 200",
    },
    "commitments/<int:pk>/sign/": {
        "kwargs": {"pk": "commitment.pk"},
        "get":    "302 302 405 405 405 405 405 405 405",
        "post":   "302 302 302 404 302 302 302 302 302",
    },
    "dashboard/approvals/": {
        "get":    "302 302 200 200 200 200 200 200 200",
        "post":   "302 302 200 200 200 200 200 200 200",
    },
    "dashboard/changes/<int:pk>/approve/": {
        "kwargs": {"pk": "cr.pk"},
        "get":    "302 302 405 405 405 405 405 405 405",
        "post":   "302 302 302 404 302 302 302 302 302",
    },
    "handover/": {
        "get":    "302 302 200 200 200 200 200 200 200",
        "post":   "302 302 200 200 200 200 200 200 200",
    },
    "handover/<str:code>/": {
        "kwargs": {"code": "project.code"},
        "get":    "302 302 200 404 200 200 200 200 200",
        "post":   "302 302 200 404 200 200 200 200 200",
    },
    "handover/<str:code>/panel/": {
        "kwargs": {"code": "project.code"},
        "get":    "302 302 200 404 200 200 200 200 200",
        "post":   "302 302 200 404 200 200 200 200 200",
    },
    "handover/<str:code>/submit/": {
        "kwargs": {"code": "project.code"},
        "get":    "302 302 405 405 405 405 405 405 405",
        "post":   "302 302 302 404 302 302 302 302 302",
    },
    "handover/items/<int:item_id>/accept/": {
        "kwargs": {"item_id": "handover_item.pk"},
        "get":    "302 302 405 405 405 405 405 405 405",
        "post":   "302 302 302 404 302 302 302 302 302",
    },
    "handover/items/<int:item_id>/file/": {
        "kwargs": {"item_id": "handover_item.pk"},
        "get":    "302 302 200 404 200 200 200 200 200",
        "post":   "302 302 200 404 200 200 200 200 200",
    },
    "handover/items/<int:item_id>/provide/": {
        "kwargs": {"item_id": "handover_item.pk"},
        "get":    "302 302 405 405 405 405 405 405 405",
        "post":   "302 302 302 404 302 302 302 302 302",
    },
    "handover/items/<int:item_id>/reject/": {
        "kwargs": {"item_id": "handover_item.pk"},
        "get":    "302 302 405 405 405 405 405 405 405",
        "post":   "302 302 302 404 302 302 302 302 302",
    },
    "kpi/": {
        "get":    "302 302 200 200 200 200 200 200 200",
        "post":   "302 302 200 200 200 200 200 200 200",
    },
    "kpi/compare/": {
        "get":    "302 302 200 200 200 200 200 200 200",
        "post":   "302 302 200 200 200 200 200 200 200",
    },
    "kpi/export/": {
        "get":    "302 302 200 200 200 200 200 200 200",
        "post":   "302 302 200 200 200 200 200 200 200",
    },
    "kpi/projects/<str:code>/complaints/": {
        "kwargs": {"code": "project.code"},
        "get":    "302 302 405 405 405 405 405 405 405",
        "post":   "302 302 302 404 302 302 302 302 302",
    },
    "kpi/projects/<str:code>/panel/": {
        "kwargs": {"code": "project.code"},
        "get":    "302 302 200 404 200 200 200 200 200",
        "post":   "302 302 200 404 200 200 200 200 200",
    },
    "kpi/projects/<str:code>/surveys/": {
        "kwargs": {"code": "project.code"},
        "get":    "302 302 405 405 405 405 405 405 405",
        "post":   "302 302 302 404 302 302 302 302 302",
    },
    "kpi/scorecards/": {
        "get":    "302 302 200 200 200 200 200 200 200",
        "post":   "302 302 200 200 200 200 200 200 200",
    },
    "notifications/<int:pk>/read/": {
        "kwargs": {"pk": "notification.pk"},
        "get":    "302 302 405 405 405 405 405 405 405",
        "post":   "302 302 302 302 302 302 302 302 302",
    },
    "notifications/read-all/": {
        "get":    "302 302 405 405 405 405 405 405 405",
        "post":   "302 302 302 302 302 302 302 302 302",
    },
    "portfolio/": {
        "get":    "302 302 200 200 200 200 200 200 200",
        "post":   "302 302 200 200 200 200 200 200 200",
    },
    "profile/": {
        "get":    "302 302 200 200 200 200 200 200 200",
        "post":   "302 302 200 200 200 200 200 200 200",
    },
    "projects/": {
        "get":    "302 302 200 200 200 200 200 200 200",
        "post":   "302 302 200 200 200 200 200 200 200",
    },
    "projects/<str:code>/": {
        "kwargs": {"code": "project.code"},
        "get":    "302 302 200 404 200 200 200 200 200",
        "post":   "302 302 200 404 200 200 200 200 200",
    },
    "projects/<str:code>/changes/": {
        "kwargs": {"code": "project.code"},
        "get":    "302 302 200 404 200 200 200 200 200",
        "post":   "302 302 200 404 200 200 200 200 200",
    },
    "projects/<str:code>/changes/new/": {
        "kwargs": {"code": "project.code"},
        "get":    "302 302 200 404 200 200 200 200 302",
        "post":   "302 302 200 404 200 200 200 200 302",
    },
    "projects/<str:code>/changes/panel/": {
        "kwargs": {"code": "project.code"},
        "get":    "302 302 200 404 200 200 200 200 200",
        "post":   "302 302 200 404 200 200 200 200 200",
    },
    "projects/<str:code>/commitment/": {
        "kwargs": {"code": "project.code"},
        "get":    "302 302 302 404 302 302 302 302 302",
        "post":   "302 302 302 404 302 302 302 302 302",
    },
    "projects/<str:code>/commitment/print/": {
        "kwargs": {"code": "project.code"},
        "get":    "302 302 302 404 302 302 302 302 302",
        "post":   "302 302 302 404 302 302 302 302 302",
    },
    "projects/<str:code>/edit/": {
        "kwargs": {"code": "project.code"},
        "get":    "302 302 403 404 200 200 403 200 403",
        "post":   "302 302 403 404 200 200 403 200 403",
    },
    "projects/<str:code>/kickoff/": {
        "kwargs": {"code": "project.code"},
        "get":    "302 302 403 404 200 200 403 200 403",
        "post":   "302 302 403 404 200 200 403 200 403",
    },
    "projects/<str:code>/kickoff/hold/": {
        "kwargs": {"code": "project.code"},
        "get":    "302 302 405 405 405 405 405 405 405",
        "post":   "302 302 302 404 302 302 302 302 302",
    },
    "projects/<str:code>/kickoff/panel/": {
        "kwargs": {"code": "project.code"},
        "get":    "302 302 200 404 200 200 200 200 200",
        "post":   "302 302 200 404 200 200 200 200 200",
    },
    "projects/<str:code>/milestones/<int:pk>/edit/": {
        "kwargs": {"code": "project.code", "pk": "milestone.pk"},
        "get":    "302 302 403 404 200 200 403 200 403",
        "post":   "302 302 403 404 200 200 403 200 403",
    },
    "projects/<str:code>/milestones/new/": {
        "kwargs": {"code": "project.code"},
        "get":    "302 302 403 404 200 200 403 200 403",
        "post":   "302 302 403 404 200 200 403 200 403",
    },
    "projects/<str:code>/presales/": {
        "kwargs": {"code": "project.code"},
        "get":    "302 302 200 404 200 200 200 200 200",
        "post":   "302 302 200 404 200 200 200 200 200",
    },
    "projects/<str:code>/presales/feasibility/new/": {
        "kwargs": {"code": "project.code"},
        "get":    "302 302 200 404 302 200 302 302 302",
        "post":   "302 302 200 404 302 200 302 302 302",
    },
    "projects/<str:code>/presales/panel/": {
        "kwargs": {"code": "project.code"},
        "get":    "302 302 200 404 200 200 200 200 200",
        "post":   "302 302 200 404 200 200 200 200 200",
    },
    "projects/<str:code>/presales/quote/": {
        "kwargs": {"code": "project.code"},
        "get":    "302 302 302 404 200 302 302 302 302",
        "post":   "302 302 302 404 200 302 302 302 302",
    },
    "projects/<str:code>/risks/<int:pk>/edit/": {
        "kwargs": {"code": "project.code", "pk": "risk.pk"},
        "get":    "302 302 403 404 200 200 403 200 403",
        "post":   "302 302 403 404 200 200 403 200 403",
    },
    "projects/<str:code>/risks/new/": {
        "kwargs": {"code": "project.code"},
        "get":    "302 302 403 404 200 200 403 200 403",
        "post":   "302 302 403 404 200 200 403 200 403",
    },
    "projects/<str:code>/transition/": {
        "kwargs": {"code": "project.code"},
        "get":    "302 302 405 405 405 405 405 405 405",
        "post":   "302 302 302 404 302 302 302 302 302",
    },
    "projects/new/": {
        "get":    "302 302 403 200 200 403 403 200 200",
        "post":   "302 302 403 200 200 403 403 200 200",
    },
    "projects/presales/feasibility/<int:pk>/": {
        "kwargs": {"pk": "feasibility.pk"},
        "get":    "302 302 200 404 200 200 200 200 200",
        "post":   "302 302 200 404 200 200 200 200 200",
    },
    "projects/presales/feasibility/<int:pk>/<slug:action>/": {
        "kwargs": {"pk": "feasibility.pk", "action": "submit"},
        "get":    "302 302 405 405 405 405 405 405 405",
        "post":   "302 302 302 404 403 302 403 403 403",
    },
    "projects/presales/feasibility/<int:pk>/edit/": {
        "kwargs": {"pk": "feasibility.pk"},
        "get":    "302 302 200 404 302 200 302 302 302",
        "post":   "302 302 200 404 302 200 302 302 302",
    },
    "reviews/": {
        "get":    "302 302 200 200 200 200 200 200 200",
        "post":   "302 302 200 200 200 200 200 200 200",
    },
    "reviews/<int:pk>/": {
        "kwargs": {"pk": "review.pk"},
        "get":    "302 302 200 404 200 200 200 200 200",
        "post":   "302 302 403 404 200 200 403 200 403",
    },
    "reviews/<int:pk>/action-items/": {
        "kwargs": {"pk": "review.pk"},
        "get":    "302 302 405 405 405 405 405 405 405",
        "post":   "302 302 403 404 200 200 403 200 403",
    },
    "reviews/action-items/<int:item_id>/status/": {
        "kwargs": {"item_id": "action_item.pk"},
        "get":    "302 302 405 405 405 405 405 405 405",
        "post":   "302 302 302 404 302 302 302 302 302",
    },
    "reviews/job-rotations/": {
        "get":    "302 302 200 200 200 200 200 200 200",
        "post":   "302 302 200 200 200 200 200 200 200",
    },
    "reviews/my-action-items/": {
        "get":    "302 302 200 200 200 200 200 200 200",
        "post":   "302 302 200 200 200 200 200 200 200",
    },
    "reviews/my-reminders/": {
        "get":    "302 302 200 200 200 200 200 200 200",
        "post":   "302 302 200 200 200 200 200 200 200",
    },
    "reviews/project/<str:code>/": {
        "kwargs": {"code": "project.code"},
        "get":    "302 302 200 404 200 200 200 200 200",
        "post":   "302 302 200 404 200 200 200 200 200",
    },
    "reviews/project/<str:code>/cadences/": {
        "kwargs": {"code": "project.code"},
        "get":    "302 302 405 405 405 405 405 405 405",
        "post":   "302 302 302 404 302 302 302 302 302",
    },
    "reviews/project/<str:code>/panel/": {
        "kwargs": {"code": "project.code"},
        "get":    "302 302 200 404 200 200 200 200 200",
        "post":   "302 302 200 404 200 200 200 200 200",
    },
}
# fmt: on
