"""Is the stored commitment what each person signed? Verification names every field that is not.

It reads only what is stored, so it holds even against changes made with the triggers off:

1. Content: the stored JSON against its hash, its canonical form, the version, the project and
   both rendered texts. When the content was written, the audit trail recorded its hash and a
   hash per part (`document.section_hashes`): with them, verification tells a changed content
   from a changed hash column and names the changed part (`content.milestones`, …).
2. Signatures: each HMAC, each signed hash, each signer. Each signing was recorded in the audit
   trail (signature id, signer, role, hash, time): a signature row is compared against it column
   by column, and a recorded signing whose signature is gone is named.
3. State: status, signing time and the set of signatures must agree with each other (a signed
   commitment has every signature and its last one's time; an open or draft one is not fully
   signed and has no signing time; a superseded one has a newer version) and with the audit
   trail (a commitment recorded as signed or superseded is still shown so).
4. The audit events read as witnesses must still match their own chain hash; one that does not
   is named and not believed. Deleting the witnesses as well breaks the audit chain, which
   `manage.py verify_audit` reports (its first broken link).

Each finding is `{"field", "code", "message", "signer"}`; `problems` keeps the messages alone.
"""

from __future__ import annotations

import collections
import dataclasses
import datetime
import json

from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from coordination.core import audit_chain
from coordination.core.models import AuditEvent
from coordination.core.people import display_name
from coordination.kickoff import document as doc
from coordination.kickoff.models import CollaborationCommitment

TARGET_TYPE = CollaborationCommitment._meta.label_lower
SECTION_LABELS = {
    "document": None,
    "version": "version",
    "project": "project",
    "meeting": "meeting",
    "customer_core_needs": "needs",
    "expected_standards": "standards",
    "feasibility_summary": "feasibility",
    "risk_plan": "risks",
    "milestones": "milestones",
    "risks": "risks",
    "responsibilities": "responsibilities",
    "signatories": "signatories",
}


@dataclasses.dataclass
class Recorded:
    """What the audit trail says happened to one commitment (only events that pass the chain)."""

    content_hash: str | None = None
    sections: dict | None = None
    signings: list[dict] = dataclasses.field(default_factory=list)
    signed: dict | None = None
    superseded: bool = False
    any: bool = False


class Findings:
    def __init__(self):
        self.items: list[dict] = []

    def add(self, field: str, code: str, message: str, signer: str | None = None) -> None:
        item = {"field": field, "code": code, "message": message, "signer": signer}
        if item not in self.items:
            self.items.append(item)

    def has(self, code: str, signer: str | None) -> bool:
        return any(f["code"] == code and f["signer"] == signer for f in self.items)


def _when(iso_text: str | None) -> str:
    if not iso_text:
        return "-"
    try:
        moment = datetime.datetime.fromisoformat(iso_text)
    except ValueError:
        return iso_text
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M:%S")


def _recorded(commitment, found: Findings) -> Recorded:
    recorded = Recorded()
    events = (
        AuditEvent.objects.filter(target_type=TARGET_TYPE, target_id=str(commitment.pk))
        .order_by("id")
        .values(*audit_chain.CHAINED, "prev_hash", "hash")
    )
    for event in events:
        if audit_chain.link(event["prev_hash"], audit_chain.content(event)) != event["hash"]:
            found.add(
                "audit",
                "audit_altered",
                _("此承诺书的审计记录（第 %(id)s 条）已被改动，不能作为证据。")
                % {"id": event["id"]},
            )
            continue
        recorded.any = True
        after = event["after"] if isinstance(event["after"], dict) else {}
        action = event["action"]
        if action in ("commitment.generated", "commitment.regenerated"):
            recorded.content_hash = after.get("content_hash")
            recorded.sections = after.get("sections")
        elif action == "commitment.signature_added":
            recorded.signings.append(after)
        elif action == "commitment.signed":
            recorded.signed = after
        elif action == "commitment.superseded":
            recorded.superseded = True
    return recorded


def _section_label(key: str) -> str:
    label = SECTION_LABELS.get(key)
    if label is None:
        return key
    return doc.LABELS[label][1 if (get_language() or "").startswith("en") else 0]


def _check_content(commitment, recomputed: str, reference: str | None, recorded, found):
    """The content checks; returns the parsed content (None when it is not JSON)."""
    stored = commitment.content_hash
    if recomputed != stored:
        if reference == recomputed:
            found.add(
                "content_hash",
                "content_hash_changed",
                _("内容哈希字段被改动：内容本身仍与签署（记录）时一致。"),
            )
        else:
            found.add(
                "canonical_content", "content_changed", _("内容哈希不符：存储的内容已被改动。")
            )
    elif reference is not None and reference != stored:
        message = _("内容与内容哈希被一并改写：与签署（记录）时的哈希不符。")
        found.add("canonical_content", "content_rewritten", message)
        found.add("content_hash", "content_rewritten", message)
    try:
        content = json.loads(commitment.canonical_content or "")
    except ValueError:
        found.add("canonical_content", "not_json", _("规范化内容不是有效的JSON。"))
        return None
    if not isinstance(content, dict):
        found.add("canonical_content", "not_json", _("规范化内容不是有效的JSON。"))
        return None
    if doc.canonical_json(content) != commitment.canonical_content:
        found.add("canonical_content", "not_canonical", _("规范化内容的格式不是规范形式。"))
    if content.get("version") != commitment.version:
        found.add("version", "version_mismatch", _("版本号与内容不一致。"))
    if content.get("project", {}).get("code") != commitment.project.code:
        found.add("project", "project_mismatch", _("项目与内容不一致。"))
    for language, field in (("zh-hans", "text_zh"), ("en", "text_en")):
        if doc.render_text(content, language) != getattr(commitment, field):
            found.add(
                field,
                "text_mismatch",
                _("%(lang)s文本与规范化内容不一致。") % {"lang": language},
            )
    sections = recorded.sections
    if isinstance(sections, dict) and recorded.content_hash not in (None, recomputed):
        now = doc.section_hashes(content)
        for key in sorted(set(sections) | set(now)):
            if sections.get(key) != now.get(key):
                found.add(
                    f"content.{key}",
                    "section_changed",
                    _("内容中的“%(section)s”（%(key)s）已被改动。")
                    % {"section": _section_label(key), "key": key},
                )
    return content


def _witness_for(sig, signings: list[dict], used: set[int]) -> dict | None:
    """The recorded signing of this signature row: by its id, else (older records) its signer."""
    for n, w in enumerate(signings):
        if n not in used and w.get("signature_id") == sig.pk:
            used.add(n)
            return w
    for n, w in enumerate(signings):
        if n not in used and "signature_id" not in w and w.get("signer") == sig.signer.username:
            used.add(n)
            return w
    return None


def _check_signature(sig, commitment, recomputed, reference, required, witness, recorded, found):
    who = sig.signer.get_username()
    sig_hash_ok = sig.content_hash == commitment.content_hash and sig.content_hash == recomputed
    key_used = doc.check_hmac(doc.signature_message_for(sig), sig.hmac)
    pinpointed = []
    if witness is not None:
        if witness.get("signer_id", sig.signer_id) != sig.signer_id:
            pinpointed.append("signatures.signer")
            found.add(
                "signatures.signer",
                "signer_changed",
                _("签名记录 #%(id)s 的签署人被改动：审计记录为 %(recorded)s，现为 %(who)s。")
                % {"id": sig.pk, "recorded": witness.get("signer", "?"), "who": who},
                who,
            )
        if witness.get("role", sig.role) != sig.role:
            pinpointed.append("signatures.role")
            found.add(
                "signatures.role",
                "role_changed",
                _("%(who)s 的签署角色被改动：审计记录为 %(recorded)s，现为 %(role)s。")
                % {"who": who, "recorded": witness.get("role"), "role": sig.role},
                who,
            )
        if witness.get("hash", sig.content_hash) != sig.content_hash:
            pinpointed.append("signatures.content_hash")
            found.add(
                "signatures.content_hash",
                "signature_hash_changed",
                _("%(who)s 的签名记录中的内容哈希被改动（与签署时记录的不同）。") % {"who": who},
                who,
            )
        if witness.get("signed_at") and witness["signed_at"] != doc.iso(sig.signed_at):
            pinpointed.append("signatures.signed_at")
            found.add(
                "signatures.signed_at",
                "signed_at_changed",
                _("%(who)s 的签署时间被改动：审计记录为 %(recorded)s，现为 %(now)s。")
                % {
                    "who": who,
                    "recorded": _when(witness["signed_at"]),
                    "now": _when(doc.iso(sig.signed_at)),
                },
                who,
            )
    elif recorded.any:
        found.add(
            "signatures",
            "signature_unrecorded",
            _("%(who)s 的签名没有对应的审计记录。") % {"who": who},
            who,
        )
    if not sig_hash_ok:
        if sig.content_hash != reference:
            field = "signatures.content_hash"
        elif commitment.content_hash != reference and recomputed == reference:
            field = "content_hash"
        else:
            field = "canonical_content"
        found.add(
            field,
            "signed_hash_mismatch",
            _("%(who)s 签署的内容哈希与当前内容不符。") % {"who": who},
            who,
        )
    listed_role = required.get(sig.signer_id)
    if key_used is None:
        if pinpointed:
            field = pinpointed[0]
        elif sig.content_hash != reference:
            field = "signatures.content_hash"
        elif listed_role is None:
            field = "signatures.signer"
        elif listed_role != sig.role:
            field = "signatures.role"
        else:
            field = "signatures.hmac"  # the signature value itself, or its time
        found.add(
            field,
            "hmac_invalid",
            _("%(who)s 的签名校验失败（签名记录被改动）。") % {"who": who},
            who,
        )
    if listed_role != sig.role:
        found.add(
            "signatures.signer" if listed_role is None else "signatures.role",
            "not_signatory",
            _("%(who)s 不是此承诺书的签署人。") % {"who": who},
            who,
        )
    return {
        "signer": who,
        "signer_id": sig.signer_id,
        "signer_name": display_name(sig.signer),  # pages: the name, never the username
        "role": sig.role,
        "role_label": sig.get_role_display(),
        "signed_moment": sig.signed_at,  # pages format it in the reader's time zone
        "department": sig.department,
        "signed_at": sig.signed_at.isoformat(),
        "hash_ok": sig_hash_ok,
        "hmac_ok": key_used is not None,
        "key_id": sig.key_id,
    }


def _check_state(commitment, signatories, rows, recorded, unmatched, found) -> None:
    Status = CollaborationCommitment.Status
    status = commitment.status
    status_label = commitment.get_status_display()
    signed_pairs = {(sig.signer_id, sig.role) for sig in rows}
    missing = [s for s in signatories if (s["user_id"], s["role"]) not in signed_pairs]
    fully_signed = bool(signatories) and not missing
    was_signed = status == Status.SIGNED or (
        status == Status.SUPERSEDED and (commitment.signed_at is not None or recorded.signed)
    )
    if was_signed:
        for s in missing:
            found.add(
                "signatures",
                "signature_missing",
                _("状态为已签署，但缺少 %(who)s 的签名。") % {"who": s["username"]},
                s["username"],
            )
        if commitment.signed_at is None:
            found.add("signed_at", "signed_at_missing", _("已签署，但签署完成时间为空。"))
        else:
            expected = (recorded.signed or {}).get("signed_at")
            if not expected and fully_signed:
                expected = doc.iso(max(rows, key=lambda sig: sig.pk).signed_at)
            if expected and expected != doc.iso(commitment.signed_at):
                found.add(
                    "signed_at",
                    "signed_at_changed",
                    _("签署完成时间被改动：应为 %(expected)s（最后一个签名的时间），现为 %(now)s。")
                    % {
                        "expected": _when(expected),
                        "now": _when(doc.iso(commitment.signed_at)),
                    },
                )
    else:
        if commitment.signed_at is not None:
            found.add(
                "signed_at",
                "signed_at_without_signing",
                _("状态为“%(status)s”，却有签署完成时间。") % {"status": status_label},
            )
        if status == Status.OPEN and fully_signed:
            found.add(
                "status",
                "status_reopened",
                _("所有签署人都已签署，但状态显示为“%(status)s”。") % {"status": status_label},
            )
        if status == Status.DRAFT and rows:
            found.add("status", "signed_draft", _("草稿上有签名：草稿不能签署。"))
    if recorded.signed and status not in (Status.SIGNED, Status.SUPERSEDED):
        found.add(
            "status",
            "recorded_signed",
            _("审计记录显示此承诺书已于 %(when)s 全部签署，但状态现为“%(status)s”。")
            % {"when": _when(recorded.signed.get("signed_at")), "status": status_label},
        )
    if recorded.superseded and status != Status.SUPERSEDED:
        found.add(
            "status",
            "recorded_superseded",
            _("审计记录显示此承诺书已被修订，但状态现为“%(status)s”。") % {"status": status_label},
        )
    if status == Status.SUPERSEDED:
        if not CollaborationCommitment.objects.filter(supersedes_id=commitment.pk).exists():
            found.add(
                "status",
                "superseded_without_successor",
                _("状态为“已被修订”，但没有修订后的新版本。"),
            )
        if commitment.superseded_at is None:
            found.add("superseded_at", "superseded_at_missing", _("已被修订，但修订时间为空。"))
    for w in unmatched:
        if found.has("signature_missing", w.get("signer")):
            continue  # already named, from the signatories the content lists
        found.add(
            "signatures",
            "signature_missing",
            _("审计记录显示 %(who)s 已于 %(when)s 签署，但这份签名已不存在。")
            % {"who": w.get("signer", "?"), "when": _when(w.get("signed_at"))},
            w.get("signer"),
        )


def verify_commitment(commitment) -> dict:
    """Every check above; `valid` only when nothing was found."""
    found = Findings()
    recorded = _recorded(commitment, found)
    recomputed = doc.content_hash(commitment.canonical_content or "")
    prefetched = "signatures" in getattr(commitment, "_prefetched_objects_cache", {})
    rows = list(
        commitment.signatures.all()
        if prefetched
        else commitment.signatures.select_related("signer")
    )
    reference = recorded.content_hash
    if reference is None and rows:
        reference = collections.Counter(sig.content_hash for sig in rows).most_common(1)[0][0]
    content = _check_content(commitment, recomputed, reference, recorded, found)
    if reference is None:
        reference = commitment.content_hash
    signatories = [
        s for s in (content or {}).get("signatories", []) if isinstance(s, dict) and "user_id" in s
    ]
    required = {s["user_id"]: s.get("role") for s in signatories}
    used: set[int] = set()
    signatures = []
    for sig in rows:
        witness = _witness_for(sig, recorded.signings, used)
        signatures.append(
            _check_signature(
                sig, commitment, recomputed, reference, required, witness, recorded, found
            )
        )
    unmatched = [w for n, w in enumerate(recorded.signings) if n not in used]
    _check_state(commitment, signatories, rows, recorded, unmatched, found)
    return {
        "valid": not found.items,
        "content_hash": commitment.content_hash,
        "recomputed_hash": recomputed,
        "signatures": signatures,
        "problems": [f["message"] for f in found.items],
        "findings": found.items,
        "changed_fields": sorted({f["field"] for f in found.items}),
    }
