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
# Routes that change only the caller's own session, settings or inbox: the one writes a
# read-only role (exec) still makes (coordination.core.security.OWN_DATA_ROUTES); on every
# other route × write method the exec column is a refusal (test_exec_is_refused_...).
OWN_DATA = (
    "accounts/login/",
    "accounts/logout/",
    "accounts/password_change/",
    "accounts/password_reset/",
    "accounts/reset/<uidb64>/<token>/",
    "accounts/two-factor/",
    "accounts/two-factor/verify/",
    "accounts/two-factor/disable/",
    "api/v1/auth/token/",
    "profile/",
    "notifications/<int:pk>/read/",
    "notifications/read-all/",
    "calendar/feed/reset/",
    "api/v1/notifications/read/",
    "chat/work-notices/",
    "notifications/settings/",
    "api/v1/notifications/preferences/",
    "api/v1/requirements/parse/",  # changes nothing at all: the parser stores nothing
)

# Pages for people without an account (coordination.core.security.PUBLIC_ROUTES): the
# customer's survey link; whoever is signed in changes nothing about them, an executive too.
PUBLIC = (
    "s/<str:token>/",
)

# API routes that take only a token, never a session (knox's logout): a session caller is
# 401 before anything runs, so there is no CSRF surface; their bad-body checks send a token.
TOKEN_ONLY = (
    "api/v1/auth/logout/",
    "api/v1/auth/logout-all/",
)

# Rules whose cells need people or objects beyond the nine columns (world.py RULE_PEOPLE):
# one request per person, as in MATRIX (empty body; 400/409 or 200: allowed, 403: refused),
# optionally with settings.
RULES: dict[str, dict] = {
    # projects.core.permissions.can_edit_customer: PMO and the business side of one of the
    # customer's projects (P's business PM and business lead); not a business PM or lead of
    # other projects (non_member, other_biz_lead), not engineering, never an executive.
    "customer edit (API)": {
        "route": "api/v1/customers/<int:pk>/",
        "method": "patch",
        "kwargs": {"pk": "customer.pk"},
        "expect": {
            "pmo": 200, "biz_lead": 200, "biz_pm": 200,
            "non_member": 403, "other_biz_lead": 403, "eng_pm": 403, "other_dept": 403,
            "exec": 403, "exec_on_p": 403,
        },
    },
    "customer edit (ERP upsert of a known ERP id)": {
        "route": "api/v1/erp/customers/<str:erp_id>/",
        "method": "put",
        "kwargs": {"erp_id": "customer.erp_id"},
        "expect": {
            "erp": 400, "pmo": 400, "biz_lead": 400, "biz_pm": 400,
            "non_member": 403, "other_biz_lead": 403, "eng_pm": 403, "other_dept": 403,
            "exec": 403, "exec_on_p": 403,
        },
    },
    # projects.changes.rules: the requester (P's business PM asked for cr_assessed) does not
    # decide for their own department; P's business lead does; the engineering PM decides for
    # engineering; an executive never decides, even as a business lead.
    "change request approve × requester": {
        "route": "api/v1/change-requests/<int:pk>/approve/",
        "method": "post",
        "kwargs": {"pk": "cr_assessed.pk"},
        "expect": {
            "biz_pm": 403, "biz_lead": 200, "eng_pm": 200, "pmo": 403,
            "exec": 403, "exec_on_p": 403,
        },
    },
    "change request approve × requester, CHANGE_REQUEST_REQUESTER_MAY_APPROVE": {
        "route": "api/v1/change-requests/<int:pk>/approve/",
        "method": "post",
        "kwargs": {"pk": "cr_assessed.pk"},
        "settings": {"CHANGE_REQUEST_REQUESTER_MAY_APPROVE": True},
        "expect": {
            "biz_pm": 200, "biz_lead": 200, "eng_pm": 200, "pmo": 403,
            "exec": 403, "exec_on_p": 403,
        },
    },
    "change request reject × requester": {
        "route": "api/v1/change-requests/<int:pk>/reject/",
        "method": "post",
        "kwargs": {"pk": "cr_assessed.pk"},
        "body": {"comment": "不同意"},
        "expect": {"biz_pm": 403, "biz_lead": 200, "exec_on_p": 403},
    },
}

MATRIX: dict[str, dict] = {
    # route: kwargs, then per method:  anon erp  oth  non  bpm  epm  fin  pmo  exec
    "": {
        "get":    "302 302 200 200 200 200 200 200 200",
        "post":   "302 302 200 200 200 200 200 200 403",
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
    # accounts (coordination/accounts/): Django's password views; the reset pages are open
    # (an empty form re-renders, 200), the change pages need a login; the second factor's
    # pages are the user's own (verify without a device sends to enrolment: 302)
    "accounts/password_change/": {
        "get":    "302 302 200 200 200 200 200 200 200",
        "post":   "302 302 200 200 200 200 200 200 200",
        "put":    "302 302 200 200 200 200 200 200 200",
    },
    "accounts/password_change/done/": {
        "get":    "302 302 200 200 200 200 200 200 200",
    },
    "accounts/password_reset/": {
        "get":    "200 200 200 200 200 200 200 200 200",
        "post":   "200 200 200 200 200 200 200 200 200",
        "put":    "200 200 200 200 200 200 200 200 200",
    },
    "accounts/password_reset/done/": {
        "get":    "200 200 200 200 200 200 200 200 200",
    },
    # a link that is not valid: the "link not valid" page
    "accounts/reset/<uidb64>/<token>/": {
        "kwargs": {"uidb64": "MQ", "token": "set-password"},
        "get":    "200 200 200 200 200 200 200 200 200",
        "post":   "200 200 200 200 200 200 200 200 200",
        "put":    "200 200 200 200 200 200 200 200 200",
    },
    "accounts/reset/done/": {
        "get":    "200 200 200 200 200 200 200 200 200",
    },
    "accounts/two-factor/": {
        "get":    "302 302 200 200 200 200 200 200 200",
        "post":   "302 302 200 200 200 200 200 200 200",
    },
    "accounts/two-factor/verify/": {
        "get":    "302 302 302 302 302 302 302 302 302",
        "post":   "302 302 302 302 302 302 302 302 302",
    },
    "accounts/two-factor/disable/": {
        "get":    "302 302 405 405 405 405 405 405 405",
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
    # revoke the person's own API token(s): authenticated by a token only, so every session
    # column is 401 (a session has no token to revoke; the token case, executives included,
    # is tests/api/test_auth_tokens_expiry.py); an ERP client's token is PMO's to rotate: 403
    # revoke one of one's own API tokens on the profile page: its owner (P's business PM)
    # only, everyone else 404 (an executive revokes their own: OWN_DATA_ROUTES)
    "profile/tokens/<int:pk>/revoke/": {
        "kwargs": {"pk": "api_token.pk"},
        "get":    "302 302 405 405 405 405 405 405 405",
        "post":   "302 302 404 404 302 404 404 404 404",
    },
    "api/v1/auth/logout/": {
        "post":   "401 403 401 401 401 401 401 401 401",
    },
    "api/v1/auth/logout-all/": {
        "post":   "401 403 401 401 401 401 401 401 401",
    },
    "api/v1/calendar/working-days/": {
        "get":    "401 400 400 400 400 400 400 400 400",
    },
    # search: an empty q is a 400 naming q; hits are filtered by what the caller may see
    # (tests/search/test_search.py)
    "api/v1/search/": {
        "get":    "401 400 400 400 400 400 400 400 400",
    },
    # the caller's own inbox (an empty body names ids: 400); an ERP client has no write
    # scope for it (403), an executive marks their own read like anyone
    "api/v1/notifications/": {
        "get":    "401 200 200 200 200 200 200 200 200",
    },
    "api/v1/notifications/read/": {
        "post":   "401 403 400 400 400 400 400 400 400",
    },
    # the caller's own preferences (an empty PUT changes nothing and answers the grid)
    "api/v1/notifications/preferences/": {
        "get":    "401 200 200 200 200 200 200 200 200",
        "put":    "401 403 200 200 200 200 200 200 200",
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
        "post":   "401 403 403 404 403 409 403 403 403",
    },
    "api/v1/change-requests/<int:pk>/assess/": {
        "kwargs": {"pk": "cr.pk"},
        "post":   "401 403 400 404 400 400 400 400 403",
    },
    "api/v1/change-requests/<int:pk>/implement/": {
        "kwargs": {"pk": "cr.pk"},
        "post":   "401 403 403 404 409 409 403 403 403",
    },
    "api/v1/change-requests/<int:pk>/reject/": {
        "kwargs": {"pk": "cr.pk"},
        "post":   "401 403 400 404 400 400 400 400 403",
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
        "post":   "401 400 403 400 400 403 403 400 403",
    },
    "api/v1/customers/<int:pk>/": {
        "kwargs": {"pk": "customer.pk"},
        "get":    "401 200 200 200 200 200 200 200 200",
        "patch":  "401 200 403 403 200 403 403 200 403",
    },
    "customers/": {
        "get":    "302 302 200 200 200 200 200 200 200",
    },
    "customers/<int:pk>/": {
        "kwargs": {"pk": "customer.pk"},
        "get":    "302 302 200 200 200 200 200 200 200",
        "post":   "302 302 403 403 400 403 403 400 403",
    },
    "customers/new/": {
        "get":    "302 302 403 200 200 403 403 200 403",
        "post":   "302 302 403 200 200 403 403 200 403",
    },
    "api/v1/erp/customers/<str:erp_id>/": {
        "kwargs": {"erp_id": "customer.erp_id"},
        "put":    "401 400 403 403 400 403 403 400 403",
    },
    "api/v1/erp/projects/<str:erp_id>/": {
        "kwargs": {"erp_id": "project.erp_id"},
        "put":    "401 400 403 400 400 403 403 400 403",
    },
    "api/v1/erp/projects/bulk/": {
        "post":   "401 400 403 400 400 403 403 400 403",
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
        "post":   "401 403 400 404 400 400 400 400 403",
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
        "post":   "401 403 400 400 400 400 400 400 403",
    },
    # a rotation planned by P's business PM with the engineering member (other_dept) as its
    # mentor, waiting for both department heads (none in the columns; PMO decides on their
    # behalf, 400 without the side): the person and the mentor see it; a refusal is 403
    # whatever the body; an allowed move the state refuses is 409
    "api/v1/job-rotations/<int:pk>/": {
        "kwargs": {"pk": "rotation.pk"},
        "get":    "401 200 200 404 200 404 404 200 200",
    },
    "api/v1/job-rotations/<int:pk>/approve/": {
        "kwargs": {"pk": "rotation.pk"},
        "post":   "401 403 403 404 403 404 404 400 403",
    },
    "api/v1/job-rotations/<int:pk>/reject/": {
        "kwargs": {"pk": "rotation.pk"},
        "post":   "401 403 403 404 403 404 404 400 403",
    },
    "api/v1/job-rotations/<int:pk>/resubmit/": {
        "kwargs": {"pk": "rotation.pk"},
        "post":   "401 403 403 404 409 404 404 409 403",
    },
    "api/v1/job-rotations/<int:pk>/start/": {
        "kwargs": {"pk": "rotation.pk"},
        "post":   "401 403 409 404 409 404 404 409 403",
    },
    "api/v1/job-rotations/<int:pk>/check-ins/": {
        "kwargs": {"pk": "rotation.pk"},
        "post":   "401 403 400 404 400 404 404 400 403",
    },
    "api/v1/job-rotations/<int:pk>/close/": {
        "kwargs": {"pk": "rotation.pk"},
        "post":   "401 403 409 404 409 404 404 403 403",
    },
    "api/v1/job-rotations/<int:pk>/cancel/": {
        "kwargs": {"pk": "rotation.pk"},
        "post":   "401 403 403 404 400 404 404 400 403",
    },
    "api/v1/kpis/rotation-comparison/": {
        "get":    "401 200 200 200 200 200 200 200 200",
    },
    "api/v1/kpis/": {
        "get":    "401 200 200 200 200 200 200 200 200",
    },
    "api/v1/kpis/compare/": {
        "get":    "401 400 400 400 400 400 400 400 400",
    },
    "api/v1/kpis/restatements/": {
        "get":    "401 200 200 200 200 200 200 200 200",
    },
    "api/v1/kpis/restatements/<str:period>/restate/": {
        "kwargs": {"period": "2026-04"},
        "post":   "401 403 403 403 403 403 403 400 403",
    },
    "api/v1/kpis/restatements/<str:period>/leave/": {
        "kwargs": {"period": "2026-04"},
        "post":   "401 403 403 403 403 403 403 400 403",
    },
    "api/v1/kpis/rows/": {
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
        "post":   "401 400 403 400 400 403 403 400 403",
    },
    "api/v1/projects/<str:code>/": {
        "kwargs": {"code": "project.code"},
        "get":    "401 200 200 404 200 200 200 200 200",
        "patch":  "401 200 403 404 200 200 403 200 403",
    },
    "api/v1/projects/<str:code>/cadences/": {
        "kwargs": {"code": "project.code"},
        "get":    "401 200 200 404 200 200 200 200 200",
        "post":   "401 400 400 404 400 400 400 400 403",
    },
    "api/v1/projects/<str:code>/change-requests/": {
        "kwargs": {"code": "project.code"},
        "get":    "401 200 200 404 200 200 200 200 200",
        "post":   "401 400 400 404 400 400 400 400 403",
    },
    "api/v1/projects/<str:code>/change-requests/measures/": {
        "kwargs": {"code": "project.code"},
        "get":    "401 200 200 404 200 200 200 200 200",
    },
    # the matrix project has no early warning computed: 404 for all (visibility in
    # tests/warning/test_scoring.py)
    "api/v1/projects/<str:code>/warning/": {
        "kwargs": {"code": "project.code"},
        "get":    "401 404 404 404 404 404 404 404 404",
    },
    # the parser stores nothing: every signed-in caller may parse (empty body: 400)
    "api/v1/requirements/parse/": {
        "post":   "401 400 400 400 400 400 400 400 400",
    },
    "api/v1/projects/<str:code>/commitment/": {
        "kwargs": {"code": "project.code"},
        "get":    "401 200 200 404 200 200 200 200 200",
    },
    "api/v1/projects/<str:code>/complaints/": {
        "kwargs": {"code": "project.code"},
        "get":    "401 200 200 404 200 200 200 200 200",
        "post":   "401 400 400 404 400 400 400 400 403",
    },
    # kpi.surveys: P's PMs, its business lead and PMO (the ERP client's user is PMO's) send
    # and revoke the customer's link
    "api/v1/projects/<str:code>/survey-invitations/": {
        "kwargs": {"code": "project.code"},
        "get":    "401 200 200 404 200 200 200 200 200",
        "post":   "401 400 403 404 400 400 403 400 403",
    },
    "api/v1/projects/<str:code>/survey-invitations/<int:pk>/revoke/": {
        "kwargs": {"code": "project.code", "pk": "survey_invitation.pk"},
        "post":   "401 200 403 404 200 200 403 200 403",
    },
    "api/v1/projects/<str:code>/feasibility/": {
        "kwargs": {"code": "project.code"},
        "get":    "401 200 200 404 200 200 200 200 200",
        "post":   "401 400 400 404 400 400 400 400 403",
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
        "post":   "401 400 400 404 400 400 400 400 403",
        "patch":  "401 200 403 404 200 200 403 200 403",
    },
    "api/v1/projects/<str:code>/kickoff/hold/": {
        "kwargs": {"code": "project.code"},
        "post":   "401 409 403 404 409 409 403 409 403",
    },
    # projects.core.permissions.can_manage_members: the PMs, the leads and PMO (the ERP's
    # PMO service user adds members; its token's scopes do not delete them)
    "api/v1/projects/<str:code>/members/": {
        "kwargs": {"code": "project.code"},
        "get":    "401 200 200 404 200 200 200 200 200",
        "post":   "401 400 403 404 400 400 403 400 403",
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
        "put":    "401 400 400 404 400 400 400 400 403",
    },
    # documents: every member uploads (both departments, finance too), PMO; never exec
    "api/v1/projects/<str:code>/documents/": {
        "kwargs": {"code": "project.code"},
        "get":    "401 200 200 404 200 200 200 200 200",
        "post":   "401 400 400 404 400 400 400 400 403",
    },
    "api/v1/documents/<int:pk>/": {
        "kwargs": {"pk": "document.pk"},
        "get":    "401 200 200 404 200 200 200 200 200",
    },
    "api/v1/documents/<int:pk>/versions/": {
        "kwargs": {"pk": "document.pk"},
        "post":   "401 400 400 404 400 400 400 400 403",
    },
    "api/v1/document-versions/<int:pk>/download/": {
        "kwargs": {"pk": "document_version.pk"},
        "get":    "401 200 200 404 200 200 200 200 200",
    },
    "api/v1/projects/<str:code>/risks/": {
        "kwargs": {"code": "project.code"},
        "get":    "401 200 200 404 200 200 200 200 200",
        "post":   "401 400 403 404 400 400 403 400 403",
    },
    "api/v1/projects/<str:code>/schedule/": {
        "kwargs": {"code": "project.code"},
        "get":    "401 200 200 404 200 200 200 200 200",
    },
    "api/v1/projects/<str:code>/surveys/": {
        "kwargs": {"code": "project.code"},
        "get":    "401 200 200 404 200 200 200 200 200",
        "post":   "401 400 400 404 400 400 400 400 403",
    },
    "api/v1/projects/<str:code>/payments/": {
        "kwargs": {"code": "project.code"},
        "get":    "401 200 200 404 200 200 200 200 200",
        "post":   "401 400 403 404 400 400 400 400 403",
    },
    "api/v1/projects/<str:code>/payments/<int:pk>/": {
        "kwargs": {"code": "project.code", "pk": "payment.pk"},
        "get":    "401 200 200 404 200 200 200 200 200",
        "patch":  "401 200 403 404 200 200 200 200 403",
        "delete": "401 204 403 404 204 204 204 204 403",
    },
    "api/v1/projects/<str:code>/tasks/": {
        "kwargs": {"code": "project.code"},
        "get":    "401 200 200 404 200 200 200 200 200",
        "post":   "401 400 403 404 400 400 403 400 403",
    },
    "api/v1/projects/<str:code>/transition/": {
        "kwargs": {"code": "project.code"},
        "post":   "401 400 403 404 400 400 403 400 403",
    },
    "api/v1/reminders/": {
        "get":    "401 200 200 200 200 200 200 200 200",
    },
    "api/v1/cadences/": {
        "get":    "401 200 200 200 200 200 200 200 200",
        "post":   "401 403 400 400 400 400 400 400 403",
    },
    "api/v1/cadences/<int:pk>/": {
        "kwargs": {"pk": "company_cadence.pk"},
        "get":    "401 200 404 404 200 404 404 200 200",
        "patch":  "401 403 404 404 403 404 404 200 403",
    },
    # the lessons library: company-wide reads; the promoter (biz_pm) and PMO edit; the
    # review's minute-keepers promote; the promoter, PMO and P's leads spawn actions
    "lessons/": {
        "get":    "302 302 200 200 200 200 200 200 200",
    },
    "lessons/<int:pk>/": {
        "kwargs": {"pk": "lesson.pk"},
        "get":    "302 302 200 200 200 200 200 200 200",
        "post":   "302 302 400 400 400 400 400 400 403",
    },
    "lessons/<int:pk>/actions/": {
        "kwargs": {"pk": "lesson.pk"},
        "get":    "302 302 405 405 405 405 405 405 405",
        "post":   "302 302 400 400 400 400 400 400 403",
    },
    "lessons/reviews/<int:review_id>/panel/": {
        "kwargs": {"review_id": "review.pk"},
        "get":    "302 302 200 404 200 200 200 200 200",
    },
    "lessons/reviews/<int:review_id>/promote/": {
        "kwargs": {"review_id": "review.pk"},
        "get":    "302 302 405 405 405 405 405 405 405",
        "post":   "302 302 403 404 400 400 403 400 403",
    },
    "lessons/projects/<str:code>/panel/": {
        "kwargs": {"code": "project.code"},
        "get":    "302 302 200 404 200 200 200 200 200",
    },
    "api/v1/lessons/": {
        "get":    "401 200 200 200 200 200 200 200 200",
    },
    "api/v1/lessons/<int:pk>/": {
        "kwargs": {"pk": "lesson.pk"},
        "get":    "401 200 200 200 200 200 200 200 200",
        "patch":  "401 403 403 403 200 403 403 200 403",
    },
    "api/v1/lessons/<int:pk>/actions/": {
        "kwargs": {"pk": "lesson.pk"},
        "get":    "401 200 200 200 200 200 200 200 200",
        "post":   "401 403 400 400 400 400 400 400 403",
    },
    "api/v1/reviews/<int:pk>/lessons/": {
        "kwargs": {"pk": "review.pk"},
        "post":   "401 403 400 404 400 400 400 400 403",
    },
    "api/v1/projects/<str:code>/similar-lessons/": {
        "kwargs": {"code": "project.code"},
        "get":    "401 200 200 404 200 200 200 200 200",
    },
    # coordination.training: a held session run by PMO (trainer: P's engineering PM), P's
    # business PM invited and attended; everyone signed in reads sessions and materials
    "api/v1/training/sessions/": {
        "get":    "401 200 200 200 200 200 200 200 200",
        "post":   "401 403 403 403 403 403 403 400 403",
    },
    "api/v1/training/sessions/<int:pk>/": {
        "kwargs": {"pk": "training.pk"},
        "get":    "401 200 200 200 200 200 200 200 200",
        "patch":  "401 403 403 403 403 409 403 409 403",
    },
    "api/v1/training/sessions/<int:pk>/attendance/": {
        "kwargs": {"pk": "training.pk"},
        "post":   "401 403 403 403 403 400 403 400 403",
    },
    "api/v1/training/sessions/<int:pk>/feedback/": {
        "kwargs": {"pk": "training.pk"},
        "post":   "401 403 403 403 400 403 403 403 403",
    },
    "api/v1/training/coverage/": {
        "get":    "401 200 403 403 403 403 403 200 200",
    },
    "api/v1/training/people/<str:username>/": {
        "kwargs": {"username": "training_person.username"},
        "get":    "401 200 403 403 200 403 403 200 200",
    },
    "api/v1/training/material-versions/<int:pk>/download/": {
        "kwargs": {"pk": "training_version.pk"},
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
    "api/v1/reviews/<int:pk>/proposals/": {
        "kwargs": {"pk": "review.pk"},
        "get":    "401 200 200 404 200 200 200 200 200",
        "post":   "401 403 403 404 400 400 403 400 403",
    },
    "api/v1/reviews/<int:pk>/action-items/": {
        "kwargs": {"pk": "review.pk"},
        "get":    "401 200 200 404 200 200 200 200 200",
        "post":   "401 403 400 404 400 400 400 400 403",
    },
    # comments: no target is 400 for everyone who is signed in; the author alone edits; an
    # ERP client reads threads but does not post (no scope covers comments)
    "api/v1/comments/": {
        "get":    "401 400 400 400 400 400 400 400 400",
        "post":   "401 403 400 400 400 400 400 400 403",
    },
    "api/v1/comments/<int:pk>/": {
        "kwargs": {"pk": "comment.pk"},
        "get":    "401 200 200 404 200 200 200 200 200",
        "patch":  "401 403 403 404 400 403 403 403 403",
    },
    "api/v1/project-members/<int:pk>/": {
        "kwargs": {"pk": "membership.pk"},
        "delete": "401 403 403 404 204 204 403 204 403",
    },
    "api/v1/risks/<int:pk>/": {
        "kwargs": {"pk": "risk.pk"},
        "get":    "401 200 200 404 200 200 200 200 200",
        "patch":  "401 200 403 404 200 200 403 200 403",
    },
    # the feed itself: no login (calendar clients cannot log in), the token is the key
    "calendar/<str:token>.ics": {
        "kwargs": {"token": "project_feed.token"},
        "get":    "200 200 200 200 200 200 200 200 200",
        "post":   "405 405 405 405 405 405 405 405 403",
    },
    "notifications/": {
        "get":    "302 302 200 200 200 200 200 200 200",
        "post":   "302 302 405 405 405 405 405 405 403",
    },
    # a user's own notification settings (empty body: every box off, then the page again)
    # the live counts' fragments (polled): signed-out is 403, not the login redirect
    "notifications/badge/": {
        "get":    "403 403 200 200 200 200 200 200 200",
        "post":   "403 403 405 405 405 405 405 405 403",
    },
    "notifications/settings/": {
        "get":    "302 302 200 200 200 200 200 200 200",
        "post":   "302 302 302 302 302 302 302 302 302",
    },
    # a user's own work-notice choices (empty body: every kind off, then the page again)
    "chat/work-notices/": {
        "get":    "302 302 200 200 200 200 200 200 200",
        "post":   "302 302 302 302 302 302 302 302 302",
    },
    # Feishu's server calls it, signed: no session is of use (401 unsigned), an exec's is 403
    "chat/callback/feishu/": {
        "get":    "405 405 405 405 405 405 405 405 405",
        "post":   "401 401 401 401 401 401 401 401 403",
    },
    "search/": {
        "get":    "302 302 200 200 200 200 200 200 200",
        "post":   "302 302 405 405 405 405 405 405 403",
    },
    "search/suggest/": {
        "get":    "302 302 200 200 200 200 200 200 200",
        "post":   "302 302 405 405 405 405 405 405 403",
    },
    "calendar/feed/": {
        "get":    "302 302 200 200 200 200 200 200 200",
        "post":   "302 302 405 405 405 405 405 405 403",
    },
    "calendar/feed/reset/": {
        "get":    "302 302 405 405 405 405 405 405 405",
        "post":   "302 302 302 302 302 302 302 302 302",
    },
    "api/v1/task-dependencies/<int:pk>/": {
        "kwargs": {"pk": "task_dependency.pk"},
        "delete": "401 204 403 404 204 204 403 204 403",
    },
    # other_dept owns the task: the owner reports progress (PATCH), planners do the rest
    "api/v1/tasks/<int:pk>/": {
        "kwargs": {"pk": "task.pk"},
        "get":    "401 200 200 404 200 200 200 200 200",
        "patch":  "401 200 200 404 200 200 403 200 403",
        "delete": "401 204 403 404 204 204 403 204 403",
    },
    "api/v1/tasks/<int:pk>/dependencies/": {
        "kwargs": {"pk": "task.pk"},
        "post":   "401 400 403 404 400 400 403 400 403",
    },
    "comments/thread/": {
        "get":    "302 302 400 400 400 400 400 400 400",
        "post":   "302 302 400 400 400 400 400 400 403",
    },
    "comments/<int:pk>/edit/": {
        "kwargs": {"pk": "comment.pk"},
        "get":    "302 302 405 405 405 405 405 405 405",
        "post":   "302 302 403 404 400 403 403 403 403",
    },
    "comments/mentions/": {
        "get":    "302 302 400 400 400 400 400 400 400",
        "post":   "302 302 405 405 405 405 405 405 403",
    },
    "changes/<int:pk>/": {
        "kwargs": {"pk": "cr.pk"},
        "get":    "302 302 200 404 200 200 200 200 200",
        "post":   "302 302 200 404 200 200 200 200 403",
    },
    "changes/<int:pk>/apply-to-tasks/": {
        "kwargs": {"pk": "cr.pk"},
        "get":    "302 302 405 405 405 405 405 405 405",
        "post":   "302 302 302 404 302 302 302 302 403",
    },
    "changes/<int:pk>/<str:action>/": {
        "kwargs": {"pk": "cr.pk", "action": "approve"},
        "get":    "302 302 405 405 405 405 405 405 405",
        "post":   "302 302 302 404 302 409 302 302 403",
    },
    "changes/<int:pk>/assess/": {
        "kwargs": {"pk": "cr.pk"},
        "get":    "302 302 302 404 302 200 302 302 302",
        "post":   "302 302 302 404 302 200 302 302 403",
    },
    "changes/<int:pk>/edit/": {
        "kwargs": {"pk": "cr.pk"},
        "get":    "302 302 302 404 200 200 302 200 302",
        "post":   "302 302 302 404 200 200 302 200 403",
    },
    "changes/inbox/": {
        "get":    "302 302 200 200 200 200 200 200 200",
        "post":   "302 302 200 200 200 200 200 200 403",
    },
    "commitments/<int:pk>/": {
        "kwargs": {"pk": "commitment.pk"},
        "get":    "302 302 200 404 200 200 200 200 200",
        "post":   "302 302 200 404 200 200 200 200 403",
    },
    "commitments/<int:pk>/print/": {
        "kwargs": {"pk": "commitment.pk"},
        "get":    "302 302 200 404 200 200 200 200 200",
        "post":   "302 302 200 404 200 200 200 200 403",
    },
    "commitments/<int:pk>/pdf/": {
        "kwargs": {"pk": "commitment.pk"},
        "get":    "302 302 200 404 200 200 200 200 200",
        "post":   "302 302 200 404 200 200 200 200 403",
    },
    "commitments/<int:pk>/sign/": {
        "kwargs": {"pk": "commitment.pk"},
        "get":    "302 302 405 405 405 405 405 405 405",
        "post":   "302 302 302 404 302 302 302 302 403",
    },
    "dashboard/approvals/": {
        "get":    "302 302 200 200 200 200 200 200 200",
        "post":   "302 302 200 200 200 200 200 200 403",
    },
    "dashboard/counters/": {
        "get":    "403 403 200 200 200 200 200 200 200",
        "post":   "403 403 405 405 405 405 405 405 403",
    },
    "dashboard/changes/<int:pk>/approve/": {
        "kwargs": {"pk": "cr.pk"},
        "get":    "302 302 405 405 405 405 405 405 405",
        "post":   "302 302 302 404 302 302 302 302 403",
    },
    "handover/": {
        "get":    "302 302 200 200 200 200 200 200 200",
        "post":   "302 302 200 200 200 200 200 200 403",
    },
    "handover/<str:code>/": {
        "kwargs": {"code": "project.code"},
        "get":    "302 302 200 404 200 200 200 200 200",
        "post":   "302 302 200 404 200 200 200 200 403",
    },
    "handover/<str:code>/panel/": {
        "kwargs": {"code": "project.code"},
        "get":    "302 302 200 404 200 200 200 200 200",
        "post":   "302 302 200 404 200 200 200 200 403",
    },
    "handover/<str:code>/submit/": {
        "kwargs": {"code": "project.code"},
        "get":    "302 302 405 405 405 405 405 405 405",
        "post":   "302 302 302 404 302 302 302 302 403",
    },
    "handover/<str:code>/accept-all/": {
        "kwargs": {"code": "project.code"},
        "get":    "302 302 405 405 405 405 405 405 405",
        "post":   "302 302 302 404 302 302 302 302 403",
    },
    "handover/items/<int:item_id>/accept/": {
        "kwargs": {"item_id": "handover_item.pk"},
        "get":    "302 302 405 405 405 405 405 405 405",
        "post":   "302 302 302 404 302 302 302 302 403",
    },
    "handover/items/<int:item_id>/file/": {
        "kwargs": {"item_id": "handover_item.pk"},
        "get":    "302 302 200 404 200 200 200 200 200",
        "post":   "302 302 200 404 200 200 200 200 403",
    },
    "handover/items/<int:item_id>/provide/": {
        "kwargs": {"item_id": "handover_item.pk"},
        "get":    "302 302 405 405 405 405 405 405 405",
        "post":   "302 302 302 404 302 302 302 302 403",
    },
    "handover/items/<int:item_id>/reject/": {
        "kwargs": {"item_id": "handover_item.pk"},
        "get":    "302 302 405 405 405 405 405 405 405",
        "post":   "302 302 302 404 302 302 302 302 403",
    },
    "kpi/": {
        "get":    "302 302 200 200 200 200 200 200 200",
        "post":   "302 302 200 200 200 200 200 200 403",
    },
    # the early-warning model page: PMO and executives only
    "warning/": {
        "get":    "302 302 403 403 403 403 403 200 200",
        "post":   "405 405 405 405 405 405 405 405 403",
    },
    "kpi/compare/": {
        "get":    "302 302 200 200 200 200 200 200 200",
        "post":   "302 302 200 200 200 200 200 200 403",
    },
    "kpi/export/": {
        "get":    "302 302 200 200 200 200 200 200 200",
        "post":   "302 302 200 200 200 200 200 200 403",
    },
    # the per-person appraisal: everyone's for PMO and exec, one's own for anyone else
    "kpi/appraisal/": {
        "get":    "302 302 200 200 200 200 200 200 200",
        "post":   "302 302 200 200 200 200 200 200 403",
    },
    "kpi/appraisal/export/": {
        "get":    "302 302 200 200 200 200 200 200 200",
        "post":   "302 302 200 200 200 200 200 200 403",
    },
    "kpi/appraisal/pdf/": {
        "get":    "302 302 200 200 200 200 200 200 200",
        "post":   "302 302 200 200 200 200 200 200 403",
    },
    "api/v1/kpis/appraisal/": {
        "get":    "401 200 200 200 200 200 200 200 200",
    },
    # kpi.complaints: a cross-department complaint on P against engineering (other_dept and
    # eng_pm are engineering: they answer, never confirm the closure); empty bodies: 400/409
    "complaints/<int:pk>/": {
        "kwargs": {"pk": "complaint.pk"},
        "get":    "302 302 200 404 200 200 200 200 200",
    },
    "complaints/<int:pk>/assign/": {
        "kwargs": {"pk": "complaint.pk"},
        "get":    "302 302 405 405 405 405 405 405 405",
        "post":   "302 302 400 404 400 400 400 400 403",
    },
    "complaints/<int:pk>/respond/": {
        "kwargs": {"pk": "complaint.pk"},
        "get":    "302 302 405 405 405 405 405 405 405",
        "post":   "302 302 403 404 403 403 403 400 403",
    },
    "complaints/<int:pk>/close/": {
        "kwargs": {"pk": "complaint.pk"},
        "get":    "302 302 405 405 405 405 405 405 405",
        "post":   "302 302 403 404 409 403 409 409 403",
    },
    "api/v1/complaints/<int:pk>/": {
        "kwargs": {"pk": "complaint.pk"},
        "get":    "401 200 200 404 200 200 200 200 200",
    },
    "api/v1/complaints/<int:pk>/assign/": {
        "kwargs": {"pk": "complaint.pk"},
        "post":   "401 403 400 404 400 400 400 400 403",
    },
    "api/v1/complaints/<int:pk>/respond/": {
        "kwargs": {"pk": "complaint.pk"},
        "post":   "401 403 403 404 403 403 403 400 403",
    },
    "api/v1/complaints/<int:pk>/close/": {
        "kwargs": {"pk": "complaint.pk"},
        "post":   "401 403 403 404 409 403 409 409 403",
    },
    "kpi/projects/<str:code>/complaints/": {
        "kwargs": {"code": "project.code"},
        "get":    "302 302 405 405 405 405 405 405 405",
        "post":   "302 302 302 404 302 302 302 302 403",
    },
    "kpi/projects/<str:code>/panel/": {
        "kwargs": {"code": "project.code"},
        "get":    "302 302 200 404 200 200 200 200 200",
        "post":   "302 302 200 404 200 200 200 200 403",
    },
    "kpi/projects/<str:code>/survey-invitations/": {
        "kwargs": {"code": "project.code"},
        "get":    "302 302 405 405 405 405 405 405 405",
        "post":   "302 302 302 404 302 302 302 302 403",
    },
    "kpi/projects/<str:code>/survey-invitations/<int:pk>/revoke/": {
        "kwargs": {"code": "project.code", "pk": "survey_invitation.pk"},
        "get":    "302 302 405 405 405 405 405 405 405",
        "post":   "302 302 302 404 302 302 302 302 403",
    },
    # the customer's survey page: no login, the link's token is the key (empty body: the
    # form again, 400); nobody's session matters, an executive's neither (PUBLIC)
    "s/<str:token>/": {
        "kwargs": {"token": "survey_invitation.token"},
        "get":    "200 200 200 200 200 200 200 200 200",
        "post":   "400 400 400 400 400 400 400 400 400",
    },
    "kpi/projects/<str:code>/surveys/": {
        "kwargs": {"code": "project.code"},
        "get":    "302 302 405 405 405 405 405 405 405",
        "post":   "302 302 302 404 302 302 302 302 403",
    },
    "kpi/rotations/": {
        "get":    "302 302 200 200 200 200 200 200 200",
        "post":   "302 302 405 405 405 405 405 405 403",
    },
    "kpi/restatements/": {
        "get":    "302 302 200 200 200 200 200 200 200",
    },
    "kpi/restatements/<str:period>/restate/": {
        "kwargs": {"period": "2026-04"},
        "post":   "302 302 403 403 403 403 403 302 403",
    },
    "kpi/restatements/<str:period>/leave/": {
        "kwargs": {"period": "2026-04"},
        "post":   "302 302 403 403 403 403 403 302 403",
    },
    "kpi/rows/": {
        "get":    "302 302 400 400 400 400 400 400 400",
    },
    "kpi/scorecards/": {
        "get":    "302 302 200 200 200 200 200 200 200",
        "post":   "302 302 200 200 200 200 200 200 403",
    },
    "kpi/scorecards/pdf/": {
        "get":    "302 302 200 200 200 200 200 200 200",
        "post":   "302 302 200 200 200 200 200 200 403",
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
        "post":   "302 302 200 200 200 200 200 200 403",
    },
    "profile/": {
        "get":    "302 302 200 200 200 200 200 200 200",
        "post":   "302 302 200 200 200 200 200 200 200",
    },
    "projects/": {
        "get":    "302 302 200 200 200 200 200 200 200",
        "post":   "302 302 200 200 200 200 200 200 403",
    },
    "projects/<str:code>/": {
        "kwargs": {"code": "project.code"},
        "get":    "302 302 200 404 200 200 200 200 200",
        "post":   "302 302 200 404 200 200 200 200 403",
    },
    "projects/<str:code>/calendar/": {
        "kwargs": {"code": "project.code"},
        "get":    "302 302 200 404 200 200 200 200 200",
        "post":   "302 302 405 405 405 405 405 405 403",
    },
    "projects/<str:code>/calendar/reset/": {
        "kwargs": {"code": "project.code"},
        "get":    "302 302 405 405 405 405 405 405 405",
        "post":   "302 302 403 404 302 302 403 302 403",
    },
    "projects/<str:code>/changes/": {
        "kwargs": {"code": "project.code"},
        "get":    "302 302 200 404 200 200 200 200 200",
        "post":   "302 302 200 404 200 200 200 200 403",
    },
    "projects/<str:code>/changes/new/": {
        "kwargs": {"code": "project.code"},
        "get":    "302 302 200 404 200 200 200 200 302",
        "post":   "302 302 200 404 200 200 200 200 403",
    },
    "projects/<str:code>/changes/panel/": {
        "kwargs": {"code": "project.code"},
        "get":    "302 302 200 404 200 200 200 200 200",
        "post":   "302 302 200 404 200 200 200 200 403",
    },
    "projects/<str:code>/commitment/": {
        "kwargs": {"code": "project.code"},
        "get":    "302 302 302 404 302 302 302 302 302",
        "post":   "302 302 302 404 302 302 302 302 403",
    },
    "projects/<str:code>/commitment/print/": {
        "kwargs": {"code": "project.code"},
        "get":    "302 302 302 404 302 302 302 302 302",
        "post":   "302 302 302 404 302 302 302 302 403",
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
        "post":   "302 302 302 404 302 302 302 302 403",
    },
    "projects/<str:code>/kickoff/panel/": {
        "kwargs": {"code": "project.code"},
        "get":    "302 302 200 404 200 200 200 200 200",
        "post":   "302 302 200 404 200 200 200 200 403",
    },
    "projects/<str:code>/milestones/<int:pk>/edit/": {
        "kwargs": {"code": "project.code", "pk": "milestone.pk"},
        "get":    "302 302 403 404 200 200 403 200 403",
        "post":   "302 302 403 404 200 200 403 200 403",
    },
    "projects/<str:code>/members/": {
        "kwargs": {"code": "project.code"},
        "get":    "302 302 200 404 200 200 200 200 200",
    },
    "projects/<str:code>/members/<int:pk>/remove/": {
        "kwargs": {"code": "project.code", "pk": "membership.pk"},
        "get":    "302 302 405 405 405 405 405 405 405",
        "post":   "302 302 403 404 302 302 403 302 403",
    },
    "projects/<str:code>/members/add/": {
        "kwargs": {"code": "project.code"},
        "get":    "302 302 405 405 405 405 405 405 405",
        "post":   "302 302 403 404 400 400 403 400 403",
    },
    "projects/<str:code>/milestones/new/": {
        "kwargs": {"code": "project.code"},
        "get":    "302 302 403 404 200 200 403 200 403",
        "post":   "302 302 403 404 200 200 403 200 403",
    },
    "projects/<str:code>/presales/": {
        "kwargs": {"code": "project.code"},
        "get":    "302 302 200 404 200 200 200 200 200",
        "post":   "302 302 200 404 200 200 200 200 403",
    },
    "projects/<str:code>/presales/feasibility/new/": {
        "kwargs": {"code": "project.code"},
        "get":    "302 302 200 404 302 200 302 302 302",
        "post":   "302 302 200 404 302 200 302 302 403",
    },
    "projects/<str:code>/presales/panel/": {
        "kwargs": {"code": "project.code"},
        "get":    "302 302 200 404 200 200 200 200 200",
        "post":   "302 302 200 404 200 200 200 200 403",
    },
    "projects/<str:code>/presales/quote/": {
        "kwargs": {"code": "project.code"},
        "get":    "302 302 302 404 200 302 302 302 302",
        "post":   "302 302 302 404 200 302 302 302 403",
    },
    "projects/<str:code>/risks/<int:pk>/edit/": {
        "kwargs": {"code": "project.code", "pk": "risk.pk"},
        "get":    "302 302 403 404 200 200 403 200 403",
        "post":   "302 302 403 404 200 200 403 200 403",
    },
    "projects/<str:code>/documents/": {
        "kwargs": {"code": "project.code"},
        "get":    "302 302 200 404 200 200 200 200 200",
        "post":   "302 302 200 404 200 200 200 200 403",
    },
    "projects/<str:code>/attachments/": {
        "kwargs": {"code": "project.code"},
        "get":    "302 302 405 405 405 405 405 405 405",
        "post":   "302 302 302 404 302 302 302 302 403",
    },
    "documents/<int:pk>/": {
        "kwargs": {"pk": "document.pk"},
        "get":    "302 302 200 404 200 200 200 200 200",
        "post":   "302 302 200 404 200 200 200 200 403",
    },
    "document-versions/<int:pk>/file/": {
        "kwargs": {"pk": "document_version.pk"},
        "get":    "302 302 200 404 200 200 200 200 200",
        "post":   "302 302 200 404 200 200 200 200 403",
    },
    "projects/<str:code>/activity/": {
        "kwargs": {"code": "project.code"},
        "get":    "302 302 200 404 200 200 200 200 200",
        "post":   "302 302 405 405 405 405 405 405 403",
    },
    "projects/<str:code>/risks/new/": {
        "kwargs": {"code": "project.code"},
        "get":    "302 302 403 404 200 200 403 200 403",
        "post":   "302 302 403 404 200 200 403 200 403",
    },
    "projects/<str:code>/payments/": {
        "kwargs": {"code": "project.code"},
        "get":    "302 302 200 404 200 200 200 200 200",
        "post":   "302 302 200 404 200 200 200 200 403",
    },
    "projects/<str:code>/payments/new/": {
        "kwargs": {"code": "project.code"},
        "get":    "302 302 403 404 200 200 200 200 403",
        "post":   "302 302 403 404 200 200 200 200 403",
    },
    "payments/<int:pk>/edit/": {
        "kwargs": {"pk": "payment.pk"},
        "get":    "302 302 403 404 200 200 200 200 403",
        "post":   "302 302 403 404 200 200 200 200 403",
    },
    "payments/<int:pk>/invoiced/": {
        "kwargs": {"pk": "payment.pk"},
        "get":    "302 302 405 405 405 405 405 405 405",
        "post":   "302 302 403 404 302 302 302 302 403",
    },
    "payments/<int:pk>/received/": {
        "kwargs": {"pk": "payment.pk"},
        "get":    "302 302 405 405 405 405 405 405 405",
        "post":   "302 302 403 404 302 302 302 302 403",
    },
    "payments/<int:pk>/delete/": {
        "kwargs": {"pk": "payment.pk"},
        "get":    "302 302 405 405 405 405 405 405 405",
        "post":   "302 302 403 404 302 302 302 302 403",
    },
    "projects/<str:code>/tasks/": {
        "kwargs": {"code": "project.code"},
        "get":    "302 302 200 404 200 200 200 200 200",
        "post":   "302 302 200 404 200 200 200 200 403",
    },
    "projects/<str:code>/tasks/board/": {
        "kwargs": {"code": "project.code"},
        "get":    "302 302 200 404 200 200 200 200 200",
        "post":   "302 302 200 404 200 200 200 200 403",
    },
    "projects/<str:code>/tasks/gantt/": {
        "kwargs": {"code": "project.code"},
        "get":    "302 302 200 404 200 200 200 200 200",
        "post":   "302 302 200 404 200 200 200 200 403",
    },
    "projects/<str:code>/tasks/new/": {
        "kwargs": {"code": "project.code"},
        "get":    "302 302 302 404 200 200 302 200 302",
        "post":   "302 302 302 404 200 200 302 200 403",
    },
    "projects/<str:code>/transition/": {
        "kwargs": {"code": "project.code"},
        "get":    "302 302 405 405 405 405 405 405 405",
        "post":   "302 302 302 404 302 302 302 302 403",
    },
    "projects/new/": {
        "get":    "302 302 403 200 200 403 403 200 403",
        "post":   "302 302 403 200 200 403 403 200 403",
    },
    "projects/presales/feasibility/<int:pk>/": {
        "kwargs": {"pk": "feasibility.pk"},
        "get":    "302 302 200 404 200 200 200 200 200",
        "post":   "302 302 200 404 200 200 200 200 403",
    },
    "projects/presales/feasibility/<int:pk>/<slug:action>/": {
        "kwargs": {"pk": "feasibility.pk", "action": "submit"},
        "get":    "302 302 405 405 405 405 405 405 405",
        "post":   "302 302 302 404 403 302 403 403 403",
    },
    "projects/presales/feasibility/<int:pk>/edit/": {
        "kwargs": {"pk": "feasibility.pk"},
        "get":    "302 302 200 404 302 200 302 302 302",
        "post":   "302 302 200 404 302 200 302 302 403",
    },
    # coordination.training pages (the same session as the API rows above)
    "training/": {
        "get":    "302 302 200 200 200 200 200 200 200",
        "post":   "302 302 405 405 405 405 405 405 403",
    },
    "training/new/": {
        "get":    "302 302 403 403 403 403 403 200 403",
        "post":   "302 302 403 403 403 403 403 400 403",
    },
    "training/me/": {
        "get":    "302 302 200 200 200 200 200 200 200",
        "post":   "302 302 405 405 405 405 405 405 403",
    },
    "training/coverage/": {
        "get":    "302 302 403 403 403 403 403 200 200",
        "post":   "302 302 405 405 405 405 405 405 403",
    },
    "training/people/<str:username>/": {
        "kwargs": {"username": "training_person.username"},
        "get":    "302 302 403 403 200 403 403 200 200",
        "post":   "302 302 405 405 405 405 405 405 403",
    },
    "training/<int:pk>/": {
        "kwargs": {"pk": "training.pk"},
        "get":    "302 302 200 200 200 200 200 200 200",
        "post":   "302 302 405 405 405 405 405 405 403",
    },
    "training/<int:pk>/edit/": {
        "kwargs": {"pk": "training.pk"},
        "get":    "302 302 403 403 403 302 403 302 403",
        "post":   "302 302 403 403 403 302 403 302 403",
    },
    "training/<int:pk>/held/": {
        "kwargs": {"pk": "training.pk"},
        "get":    "302 302 405 405 405 405 405 405 405",
        "post":   "302 302 403 403 403 409 403 409 403",
    },
    "training/<int:pk>/cancel/": {
        "kwargs": {"pk": "training.pk"},
        "get":    "302 302 405 405 405 405 405 405 405",
        "post":   "302 302 403 403 403 409 403 409 403",
    },
    "training/<int:pk>/attendance/": {
        "kwargs": {"pk": "training.pk"},
        "get":    "302 302 405 405 405 405 405 405 405",
        "post":   "302 302 403 403 403 400 403 400 403",
    },
    "training/<int:pk>/feedback/": {
        "kwargs": {"pk": "training.pk"},
        "get":    "302 302 405 405 405 405 405 405 405",
        "post":   "302 302 403 403 400 403 403 403 403",
    },
    "training/<int:pk>/materials/": {
        "kwargs": {"pk": "training.pk"},
        "get":    "302 302 405 405 405 405 405 405 405",
        "post":   "302 302 403 403 403 400 403 400 403",
    },
    "training/materials/<int:pk>/versions/": {
        "kwargs": {"pk": "training_material.pk"},
        "get":    "302 302 405 405 405 405 405 405 405",
        "post":   "302 302 403 403 403 400 403 400 403",
    },
    "training/material-versions/<int:pk>/file/": {
        "kwargs": {"pk": "training_version.pk"},
        "get":    "302 302 200 200 200 200 200 200 200",
        "post":   "302 302 405 405 405 405 405 405 403",
    },
    "reviews/": {
        "get":    "302 302 200 200 200 200 200 200 200",
        "post":   "302 302 200 200 200 200 200 200 403",
    },
    "reviews/<int:pk>/": {
        "kwargs": {"pk": "review.pk"},
        "get":    "302 302 200 404 200 200 200 200 200",
        "post":   "302 302 403 404 200 200 403 200 403",
    },
    # confirm or discard a proposal of the minutes: an empty body is a message and a redirect
    "reviews/<int:pk>/proposals/": {
        "kwargs": {"pk": "review.pk"},
        "get":    "302 302 405 405 405 405 405 405 405",
        "post":   "302 302 302 404 302 302 302 302 403",
    },
    "reviews/<int:pk>/action-items/": {
        "kwargs": {"pk": "review.pk"},
        "get":    "302 302 405 405 405 405 405 405 405",
        "post":   "302 302 403 404 200 200 403 200 403",
    },
    "reviews/action-items/<int:item_id>/status/": {
        "kwargs": {"item_id": "action_item.pk"},
        "get":    "302 302 405 405 405 405 405 405 405",
        "post":   "302 302 302 404 302 302 302 302 403",
    },
    "reviews/action-items/<int:item_id>/task/": {
        "kwargs": {"item_id": "action_item.pk"},
        "get":    "302 302 405 405 405 405 405 405 405",
        "post":   "302 302 302 404 302 302 302 302 403",
    },
    # company cadences: PMO sets them up; a participant (biz_pm) sees one; empty body: 400
    "reviews/cadences/": {
        "get":    "302 302 200 200 200 200 200 200 200",
        "post":   "302 302 403 403 403 403 403 400 403",
    },
    "reviews/cadences/<int:pk>/": {
        "kwargs": {"pk": "company_cadence.pk"},
        "get":    "302 302 404 404 200 404 404 200 200",
        "post":   "302 302 404 404 403 404 404 400 403",
    },
    "reviews/job-rotations/": {
        "get":    "302 302 200 200 200 200 200 200 200",
        "post":   "302 302 200 200 200 200 200 200 403",
    },
    "reviews/job-rotations/<int:pk>/": {
        "kwargs": {"pk": "rotation.pk"},
        "get":    "302 302 200 404 200 404 404 200 200",
        "post":   "302 302 405 405 405 405 405 405 403",
    },
    "reviews/job-rotations/<int:pk>/approve/": {
        "kwargs": {"pk": "rotation.pk"},
        "get":    "302 302 405 405 405 405 405 405 405",
        "post":   "302 302 403 404 403 404 404 400 403",
    },
    "reviews/job-rotations/<int:pk>/reject/": {
        "kwargs": {"pk": "rotation.pk"},
        "get":    "302 302 405 405 405 405 405 405 405",
        "post":   "302 302 403 404 403 404 404 400 403",
    },
    "reviews/job-rotations/<int:pk>/resubmit/": {
        "kwargs": {"pk": "rotation.pk"},
        "get":    "302 302 405 405 405 405 405 405 405",
        "post":   "302 302 403 404 409 404 404 409 403",
    },
    "reviews/job-rotations/<int:pk>/start/": {
        "kwargs": {"pk": "rotation.pk"},
        "get":    "302 302 405 405 405 405 405 405 405",
        "post":   "302 302 409 404 409 404 404 409 403",
    },
    "reviews/job-rotations/<int:pk>/check-ins/": {
        "kwargs": {"pk": "rotation.pk"},
        "get":    "302 302 405 405 405 405 405 405 405",
        "post":   "302 302 400 404 400 404 404 400 403",
    },
    "reviews/job-rotations/<int:pk>/close/": {
        "kwargs": {"pk": "rotation.pk"},
        "get":    "302 302 405 405 405 405 405 405 405",
        "post":   "302 302 409 404 409 404 404 403 403",
    },
    "reviews/job-rotations/<int:pk>/cancel/": {
        "kwargs": {"pk": "rotation.pk"},
        "get":    "302 302 405 405 405 405 405 405 405",
        "post":   "302 302 403 404 400 404 404 400 403",
    },
    "reviews/my-action-items/": {
        "get":    "302 302 200 200 200 200 200 200 200",
        "post":   "302 302 200 200 200 200 200 200 403",
    },
    "reviews/my-reminders/": {
        "get":    "302 302 200 200 200 200 200 200 200",
        "post":   "302 302 200 200 200 200 200 200 403",
    },
    "reviews/project/<str:code>/": {
        "kwargs": {"code": "project.code"},
        "get":    "302 302 200 404 200 200 200 200 200",
        "post":   "302 302 200 404 200 200 200 200 403",
    },
    "reviews/project/<str:code>/cadences/": {
        "kwargs": {"code": "project.code"},
        "get":    "302 302 405 405 405 405 405 405 405",
        "post":   "302 302 302 404 302 302 302 302 403",
    },
    "reviews/project/<str:code>/panel/": {
        "kwargs": {"code": "project.code"},
        "get":    "302 302 200 404 200 200 200 200 200",
        "post":   "302 302 200 404 200 200 200 200 403",
    },
    "task-dependencies/<int:pk>/delete/": {
        "kwargs": {"pk": "task_dependency.pk"},
        "get":    "302 302 405 405 405 405 405 405 405",
        "post":   "302 302 302 404 302 302 302 302 403",
    },
    "tasks/<int:pk>/": {
        "kwargs": {"pk": "task.pk"},
        "get":    "302 302 200 404 200 200 200 200 200",
        "post":   "302 302 200 404 200 200 302 200 403",
    },
    "tasks/<int:pk>/delete/": {
        "kwargs": {"pk": "task.pk"},
        "get":    "302 302 405 405 405 405 405 405 405",
        "post":   "302 302 302 404 302 302 302 302 403",
    },
    "tasks/<int:pk>/dependencies/": {
        "kwargs": {"pk": "task.pk"},
        "get":    "302 302 405 405 405 405 405 405 405",
        "post":   "302 302 302 404 400 400 302 400 403",
    },
    "tasks/<int:pk>/move/": {
        "kwargs": {"pk": "task.pk"},
        "get":    "302 302 405 405 405 405 405 405 405",
        "post":   "302 302 400 404 400 400 403 400 403",
    },
    "tasks/<int:pk>/status/": {
        "kwargs": {"pk": "task.pk"},
        "get":    "302 302 405 405 405 405 405 405 405",
        "post":   "302 302 400 404 400 400 403 400 403",
    },
}
# fmt: on
