"""The per-person annual appraisal (跨部门指标纳入年终绩效考核) as a page, an XLSX / CSV file
and a PDF, and who sees whose: PMO and executives everyone's, anyone else their own. The
figures come from kpi.selectors.appraisal (the API reads the same)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from coordination.core import pdf
from coordination.core.roles import sees_everything
from kpi import exports
from kpi.selectors.appraisal import person_appraisal


class BadYear(ValueError):
    pass


def parse_year(raw) -> int:
    try:
        year_no = int(raw or timezone.localdate().year)
    except (TypeError, ValueError) as exc:
        raise BadYear from exc
    if not 2000 <= year_no <= 2100:
        raise BadYear
    return year_no


def appraisal_for(user, year_no: int) -> dict:
    """Everyone's for PMO and executives; one's own for anyone else."""
    usernames = None if sees_everything(user) else [user.get_username()]
    return person_appraisal(year_no, usernames)


def _bad_year() -> HttpResponse:
    return HttpResponse(_("年份无效。"), status=400, content_type="text/plain; charset=utf-8")


@login_required
def page(request):
    try:
        year_no = parse_year(request.GET.get("year"))
    except BadYear:
        return _bad_year()
    return render(
        request,
        "kpi/appraisal.html",
        {
            "data": appraisal_for(request.user, year_no),
            "year": year_no,
            "everyone": sees_everything(request.user),
        },
    )


@login_required
def export(request):
    """`?year=2026&format=xlsx|csv`: one row per person and joint KPI."""
    try:
        year_no = parse_year(request.GET.get("year"))
    except BadYear:
        return _bad_year()
    fmt = request.GET.get("format") or "xlsx"
    if fmt not in ("csv", "xlsx"):
        return HttpResponse(
            _("格式应为 csv 或 xlsx。"), status=400, content_type="text/plain; charset=utf-8"
        )
    tables = [exports.appraisal_table(appraisal_for(request.user, year_no))]
    if fmt == "csv":
        body, ctype = exports.write_csv(tables), "text/csv; charset=utf-8"
    else:
        body, ctype = exports.write_xlsx(tables), exports.XLSX_MEDIA_TYPE
    response = HttpResponse(body, content_type=ctype)
    response["Content-Disposition"] = f'attachment; filename="kpi-appraisal-{year_no}.{fmt}"'
    return response


@login_required
def pdf_file(request):
    try:
        year_no = parse_year(request.GET.get("year"))
    except BadYear:
        return _bad_year()
    context = {
        "data": appraisal_for(request.user, year_no),
        "year": year_no,
        "generated_at": timezone.localtime(),
    }
    body = pdf.render_pdf("kpi/appraisal.pdf.html", context, request)
    return pdf.pdf_response(body, f"kpi-appraisal-{year_no}.pdf")
