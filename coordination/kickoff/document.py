"""The collaboration commitment as a document: canonical content, hash, signatures.

1. `build_content(meeting, signatories)` turns the kickoff record into a plain dict.
2. `canonical_json(content)` serialises it stably (sorted keys, no whitespace), so the
   same record always gives the same bytes and `content_hash` the same SHA-256.
3. A signature is an HMAC-SHA256 over (commitment id, version, content hash, signer id,
   role, signed_at ISO) with settings.COMMITMENT_SIGNING_KEY; verification also accepts
   the keys in COMMITMENT_SIGNING_KEY_FALLBACKS so keys can be rotated.
4. `section_hashes(content)` digests each part of the content; the audit trail records them
   with the content, so coordination.kickoff.verification can name the part that changed.
"""

from __future__ import annotations

import datetime
import hashlib
import hmac as hmac_lib
import json
import zoneinfo
from typing import Any

from django.conf import settings

from coordination.core.people import display_name

DEFAULT_REQUIRED_ROLES = ["business_pm", "engineering_pm", "business_lead", "engineering_director"]
CONDITIONAL_ROLES = ["finance_rep"]  # required when the project has one


def required_roles() -> list[str]:
    """Roles that must sign, from settings.COMMITMENT_REQUIRED_SIGNATORY_ROLES (or the default)."""
    return list(getattr(settings, "COMMITMENT_REQUIRED_SIGNATORY_ROLES", DEFAULT_REQUIRED_ROLES))


# ---------------------------------------------------------------- canonical content
def canonical_json(content: dict) -> str:
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def content_hash(canonical: str) -> str:
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def section_hashes(content: dict) -> dict[str, str]:
    """{top-level key: SHA-256 of its canonical JSON}: recorded in the audit trail when the
    content is written, so verification can name the part of a changed content."""
    return {key: content_hash(canonical_json(value)) for key, value in content.items()}


def _user_entry(user, role: str) -> dict:
    profile = getattr(user, "profile", None)
    return {
        "user_id": user.pk,
        "username": user.get_username(),
        "name": _name(user),
        "department": getattr(profile, "department", "") or "",
        "role": role,
    }


def _name(user) -> str:
    """A person in the commitment's record: the display name in the site's language."""
    return display_name(user, settings.LANGUAGE_CODE)


def _meeting_line(label: str, meeting: dict) -> str:
    when = readable_time(meeting.get("scheduled_at"))
    return f"{label}{when} {meeting.get('location') or ''}".rstrip()


def readable_time(iso: str | None) -> str:
    """A stored local ISO time as a reader writes it: 2026-12-02 10:00 (its own zone)."""
    if not iso:
        return "-"
    try:
        return datetime.datetime.fromisoformat(iso).strftime("%Y-%m-%d %H:%M")
    except ValueError:
        return iso


def _local_iso(moment: datetime.datetime | None) -> str | None:
    """Always the site's time zone (not the request's), so the same instant hashes the same."""
    if moment is None:
        return None
    return moment.astimezone(zoneinfo.ZoneInfo(settings.TIME_ZONE)).isoformat(timespec="minutes")


def build_content(meeting, signatories: list[tuple[Any, str]], version: int) -> dict:
    """The commitment's content from the kickoff record. Only plain JSON values."""
    project = meeting.project
    milestones = sorted(meeting.milestones.all(), key=lambda m: (m.sequence, m.baseline_date, m.pk))
    risks = sorted(meeting.risks.all(), key=lambda r: r.pk)
    return {
        "document": "collaboration_commitment",
        "version": version,
        "project": {
            "code": project.code,
            "name": project.name,
            "customer": project.customer.name if project.customer_id else "",
            "primary_owner": project.primary_owner,
            "planned_start": project.planned_start.isoformat() if project.planned_start else None,
            "planned_end": project.planned_end.isoformat() if project.planned_end else None,
        },
        "meeting": {
            "scheduled_at": _local_iso(meeting.scheduled_at),
            "location": meeting.location,
            "chair": display_name(meeting.chair, settings.LANGUAGE_CODE)
            if meeting.chair_id
            else "",
        },
        "customer_core_needs": meeting.customer_core_needs,
        "expected_standards": meeting.expected_standards,
        "feasibility_summary": meeting.feasibility_summary,
        "risk_plan": meeting.risk_plan,
        "milestones": [
            {
                "id": m.pk,
                "name": m.name,
                "baseline_date": m.baseline_date.isoformat(),
                "forecast_date": m.forecast_date.isoformat(),
                "owner_department": m.owner_department,
            }
            for m in milestones
        ],
        "risks": [
            {
                "id": r.pk,
                "title": r.title,
                "category": r.category,
                "probability": r.probability,
                "impact": r.impact,
                "owner": _name(r.owner) if r.owner_id else "",
                "owner_department": r.owner_department,
                "mitigation": r.mitigation,
                "contingency": r.contingency,
            }
            for r in risks
        ],
        "responsibilities": [
            {
                "area": row.area,
                "department": row.department,
                "person": _name(row.person) if row.person_id else "",
                "notes": row.notes,
            }
            for row in meeting.responsibilities.all()
        ],
        "signatories": [_user_entry(user, role) for user, role in signatories],
    }


# The document's own wording in both languages. Kept here, not in the .po catalogue, because a
# signed text must render byte-for-byte the same whatever happens to the translations later.
LABELS = {
    "title": ("项目协同承诺书", "Project Collaboration Commitment"),
    "version": ("版本", "Version"),
    "project": ("项目", "Project"),
    "customer": ("客户", "Customer"),
    "period": ("计划周期", "Planned period"),
    "meeting": ("联合启动会", "Joint kickoff meeting"),
    "chair": ("主持人", "Chair"),
    "needs": ("客户核心需求", "Customer core needs"),
    "standards": ("预期标准", "Expected standards"),
    "feasibility": ("工程可行性", "Engineering feasibility"),
    "milestones": ("关键里程碑（承诺日期）", "Key milestones (committed dates)"),
    "risks": ("风险计划", "Risk plan"),
    "risk_plan": ("总体安排", "Overall arrangement"),
    "mitigation": ("应对措施", "Mitigation"),
    "contingency": ("应急预案", "Contingency"),
    "responsibilities": ("职责分工", "Responsibility split"),
    "signatories": ("签署人", "Signatories"),
    "pledge": (
        "业务部与工程管理部共同承诺按上述需求、标准、里程碑和职责分工协同交付本项目；"
        "任何变更须经双方审批并以新版本承诺书重新签署。",
        "The business department and the engineering management department jointly commit to "
        "deliver this project to the needs, standards, milestones and responsibility split above; "
        "any change needs the approval of both and a new version of this commitment, signed again.",
    ),
    "none": ("无", "none"),
}
ROLE_LABELS = {
    "business_lead": ("业务负责人", "Business lead"),
    "engineering_director": ("工程总监", "Engineering director"),
    "tech_lead": ("技术负责人", "Tech lead"),
    "finance_rep": ("财务代表", "Finance representative"),
    "business_pm": ("业务项目经理", "Business PM"),
    "engineering_pm": ("工程项目经理", "Engineering PM"),
    "other": ("其他", "Other"),
}
DEPARTMENT_LABELS = {
    "business": ("业务部", "Business department"),
    "engineering": ("工程管理部", "Engineering management"),
    "finance": ("财务部", "Finance"),
    "pmo": ("项目管理办公室", "PMO"),
    "": ("", ""),
}


def render_text(content: dict, language: str) -> str:
    """The commitment as plain text in `language` ("zh-hans"/"zh" or "en")."""
    i = 1 if language.startswith("en") else 0
    colon = ": " if i else "："

    def lab(key: str) -> str:
        return LABELS[key][i]

    def dept(code: str) -> str:
        return DEPARTMENT_LABELS.get(code, (code, code))[i]

    def role(code: str) -> str:
        return ROLE_LABELS.get(code, (code, code))[i]

    p = content.get("project", {})
    m = content.get("meeting", {})
    lines = [
        f"{lab('title')} · {p.get('code', '')} {p.get('name', '')}",
        f"{lab('version')}{colon}{content.get('version')}",
        f"{lab('customer')}{colon}{p.get('customer', '')}",
        f"{lab('period')}{colon}{p.get('planned_start') or '-'} ~ {p.get('planned_end') or '-'}",
        _meeting_line(lab("meeting") + colon, m),
        f"{lab('chair')}{colon}{m.get('chair') or '-'}",
        "",
        f"{lab('needs')}{colon}",
        content.get("customer_core_needs") or lab("none"),
        "",
        f"{lab('standards')}{colon}",
        content.get("expected_standards") or lab("none"),
        "",
        f"{lab('feasibility')}{colon}",
        content.get("feasibility_summary") or lab("none"),
        "",
        f"{lab('milestones')}{colon}",
    ]
    for n, ms in enumerate(content.get("milestones", []), 1):
        lines.append(f"{n}. {ms['name']} · {ms['baseline_date']} · {dept(ms['owner_department'])}")
    if not content.get("milestones"):
        lines.append(lab("none"))
    lines += ["", f"{lab('risks')}{colon}"]
    if content.get("risk_plan"):
        lines.append(f"{lab('risk_plan')}{colon}{content['risk_plan']}")
    for n, r in enumerate(content.get("risks", []), 1):
        lines.append(
            f"{n}. {r['title']} (P{r['probability']}×I{r['impact']}) · {r['owner'] or '-'}"
        )
        if r.get("mitigation"):
            lines.append(f"   {lab('mitigation')}{colon}{r['mitigation']}")
        if r.get("contingency"):
            lines.append(f"   {lab('contingency')}{colon}{r['contingency']}")
    if not content.get("risks") and not content.get("risk_plan"):
        lines.append(lab("none"))
    lines += ["", f"{lab('responsibilities')}{colon}"]
    for n, row in enumerate(content.get("responsibilities", []), 1):
        notes = f" · {row['notes']}" if row.get("notes") else ""
        lines.append(
            f"{n}. {row['area']} · {dept(row['department'])} · {row['person'] or '-'}{notes}"
        )
    if not content.get("responsibilities"):
        lines.append(lab("none"))
    lines += ["", lab("pledge"), "", f"{lab('signatories')}{colon}"]
    for s in content.get("signatories", []):
        lines.append(f"- {role(s['role'])} · {dept(s['department'])} · {s['name']}")
    return "\n".join(lines)


# ---------------------------------------------------------------- signing
def key_fingerprint(key: str | bytes) -> str:
    raw = key.encode("utf-8") if isinstance(key, str) else key
    return hashlib.sha256(b"commitment-signing-key:" + raw).hexdigest()[:16]


def _keys() -> list[str]:
    keys = [settings.COMMITMENT_SIGNING_KEY]
    keys += list(getattr(settings, "COMMITMENT_SIGNING_KEY_FALLBACKS", []) or [])
    return [k for k in keys if k]


def iso(moment: datetime.datetime) -> str:
    """One spelling of a signing time, whatever time zone the database hands back."""
    return moment.astimezone(datetime.UTC).isoformat(timespec="microseconds")


def signature_message(
    *, commitment_id: int, version: int, content_hash: str, signer_id: int, role: str, signed_at
) -> bytes:
    parts = [str(commitment_id), str(version), content_hash, str(signer_id), role, iso(signed_at)]
    return "|".join(parts).encode("utf-8")


def sign(message: bytes) -> tuple[str, str]:
    """(hex HMAC with the current key, that key's fingerprint)."""
    key = settings.COMMITMENT_SIGNING_KEY
    if not key:
        raise RuntimeError("COMMITMENT_SIGNING_KEY is not set")
    digest = hmac_lib.new(key.encode("utf-8"), message, hashlib.sha256).hexdigest()
    return digest, key_fingerprint(key)


def check_hmac(message: bytes, digest: str) -> str | None:
    """The fingerprint of the key (current or fallback) that produced `digest`, else None."""
    for key in _keys():
        expected = hmac_lib.new(key.encode("utf-8"), message, hashlib.sha256).hexdigest()
        if hmac_lib.compare_digest(expected, digest or ""):
            return key_fingerprint(key)
    return None


def signature_message_for(signature) -> bytes:
    return signature_message(
        commitment_id=signature.commitment_id,
        version=signature.commitment.version,
        content_hash=signature.content_hash,
        signer_id=signature.signer_id,
        role=signature.role,
        signed_at=signature.signed_at,
    )
