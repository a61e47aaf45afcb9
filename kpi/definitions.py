"""The written definition of each KPI, as shown on the KPI pages and in docs/kpi.md.

The computation (kpi.selectors.formulas) follows these texts exactly; tests/kpi/test_definitions.py
recomputes every KPI from raw rows in plain Python from them. A migration copies them into
KpiDefinition.formula_zh / formula_en, which PMO may reword in the admin.
"""

from __future__ import annotations

# KPIs that are a current state (as of today), not a value of a period
CURRENT_STATE = {"promise_gap_rate"}

DEFINITIONS: dict[str, tuple[str, str]] = {
    "on_time_delivery_rate": (
        "期间值，单位%。分母：计入该期间的里程碑：提前完成（实际完成日期早于基线日期）的里程碑计入"
        "其实际完成日期所在期间，按准时计；其他里程碑计入其基线日期所在期间，且基线日期不晚于今天。"
        "不计：已取消的里程碑、基线日期为今天且尚未完成的里程碑（当天结束前不算延误）、"
        "暂停中（on_hold）项目尚未完成的里程碑（项目恢复后重新计入）。"
        "分子：其中已完成且实际完成日期不晚于基线日期的里程碑。项目的任何阶段均计入。",
        "Period value, in %. Denominator: the milestones counted in the period: a milestone "
        "done early (actual date before its baseline date) counts, as on time, in the period "
        "of its actual date; any other milestone in the period of its baseline date, once that "
        "date has come (not after today). Left out: cancelled milestones, a milestone due today "
        "and not done yet (it is not late before the day ends), the milestones not done of a "
        "project on hold (paused; counted again when it resumes). Numerator: those done with "
        "an actual date on or before the baseline date. Projects of every stage count.",
    ),
    "customer_satisfaction": (
        "期间值，单位%。调查日期落在期间内的满意度调查中，总体评分≥4分的份数 / 调查总份数；"
        "另显示平均总体评分。项目的任何阶段均计入。录入时所属期间已关账的调查，在PMO重述该期间前不计入任何期间（待重述，见“期间重述”）。"
        "每份调查标明来源：“录入”（员工录入）或“客户填写”（客户通过问卷链接填写，调查日期为填写当天）；"
        "默认两种来源都计入，也可只看其中一种（来源：全部、客户填写、录入）。",
        "Period value, in %. Surveys dated in the period with an overall score of 4 or 5, "
        "divided by all surveys dated in the period; the average overall score is shown too. "
        "Projects of every stage count. "
        "A survey recorded after its period was closed counts in no period until PMO "
        "restates that period (pending restatement). "
        "Each survey is marked with its source: entered by staff, or answered by the customer "
        "through a private survey link (dated the day it was answered); both sources count "
        "by default, and either can be shown alone (source: all, customer, staff).",
    ),
    "customer_complaint_rate": (
        "期间值，单位：件/项目。分子：投诉日期落在期间内的客户投诉（无论是否已关闭、是否填写"
        "责任部门）。分母：期间内在执行的项目，即期间结束前已签约、不是商机或已取消、且没有在期间"
        "开始前交付（实际完成日期为空或不早于期间开始）的项目。录入时所属期间已关账的投诉，在PMO重述该期间前不计入任何期间（待重述，见“期间重述”）。",
        "Period value, in complaints per project. Numerator: customer complaints opened in the "
        "period (closed or not, with or without a responsible department). Denominator: projects "
        "active in the period: contract signed before the period ends, not an opportunity or "
        "cancelled, and not delivered before the period starts (no actual end, or an actual end "
        "on or after the period start). "
        "A complaint recorded after its period was closed counts in no period until PMO "
        "restates that period (pending restatement).",
    ),
    "cross_department_complaints": (
        "期间值，单位：件。投诉日期落在期间内的内部（跨部门）投诉数量，无论是否已关闭、是否填写"
        "责任部门；项目的任何阶段均计入。录入时所属期间已关账的投诉，在PMO重述该期间前不计入任何期间（待重述，见“期间重述”）。",
        "Period value, in complaints. Internal (cross-department) complaints opened in the period, "
        "closed or not, with or without a responsible department; projects of every stage count. "
        "A complaint recorded after its period was closed counts in no period until PMO "
        "restates that period (pending restatement).",
    ),
    "complaint_closure_time": (
        "期间值，单位：天。关闭日期落在期间内的投诉（客户投诉和内部投诉），从投诉日期到关闭日期的"
        "平均天数（分子：天数之和，分母：投诉数）。关闭日期是投诉处理完毕、跨部门投诉由另一部门确认"
        "关闭的日期；未关闭的投诉不计入。录入时所属期间已关账的投诉，在PMO重述该期间前不计入任何期间。",
        "Period value, in days. For complaints (customer and internal) closed in the period: the "
        "average number of days from the complaint's date to its closure (numerator: the sum of "
        "days, denominator: the number of complaints). The closure date is the day the complaint "
        "was closed, for a cross-department complaint the day the other department confirmed it; "
        "complaints not closed do not count. A complaint recorded after its period was closed "
        "counts in no period until PMO restates that period.",
    ),
    "delivery_cycle_time": (
        "期间值，单位：天。实际完成日期落在期间内且有签约日期的项目，从签约日期到实际完成日期的"
        "平均天数（分子：天数之和，分母：项目数）。",
        "Period value, in days. For projects whose actual end is in the period and that have a "
        "contract signing date: the average number of days from signing to actual end "
        "(numerator: the sum of days, denominator: the number of projects).",
    ),
    "handover_lead_time": (
        "期间值，单位：天。接收时间（北京时间日期）落在期间内、项目有签约日期的合同移交，从签约日期"
        "到接收日期的平均天数。",
        "Period value, in days. For handovers accepted in the period (local date, Asia/Shanghai) "
        "whose project has a signing date: the average number of days from signing to the date of "
        "acceptance.",
    ),
    "change_request_cycle_time": (
        "期间值，单位：天（含小数）。决定时间（批准或驳回）落在期间内且有提交时间的变更申请，从提交"
        "到决定的平均时长。",
        "Period value, in days (with fractions). For change requests decided (approved or "
        "rejected) in the period that have a submission time: the average time from submission "
        "to decision.",
    ),
    "promise_gap_rate": (
        "当前状态（截至今天），单位%，不是期间值，不按过去的期间显示。分母：有当前报价、未关闭且"
        "未取消的项目（暂停中的项目计入）。分子：其中报价毛利低于下限或承诺日期早于工程评估日期、"
        "缺口未消除的项目。",
        "Current state (as of today), in %, not a period value and not shown under past periods. "
        "Denominator: projects with a current quote that are neither closed nor cancelled "
        "(projects on hold count). Numerator: those whose quote margin is below the floor or "
        "whose promised date is earlier than engineering's estimate, the gap not cleared.",
    ),
    "payment_timeliness_rate": (
        "期间值，单位%。分母：计入该期间的收款节点：在基线到期日之前收款的节点计入其收款日期所在"
        "期间，按及时计；其他节点计入其基线到期日所在期间，且基线到期日不晚于今天。基线到期日是首次"
        "计划的到期日（交付里程碑的基线日期加约定天数，或约定的固定日期），交付里程碑延误推迟的是"
        "当前到期日，不改变基线。不计：基线到期日为今天且尚未收款的节点（当天结束前不算逾期）。"
        "分子：其中已收款且收款日期不晚于基线到期日的节点。项目的任何阶段均计入。",
        "Period value, in %. Denominator: the payment milestones counted in the period: a "
        "payment received before its baseline due date counts, as timely, in the period of its "
        "receipt; any other payment in the period of its baseline due date, once that date has "
        "come (not after today). The baseline due date is the first planned one (the delivery "
        "milestone's baseline date plus the agreed days, or the agreed fixed date); a delivery "
        "slip moves the current due date, never the baseline. Left out: a payment due today "
        "and not received yet (it is not late before the day ends). Numerator: those received "
        "on or before the baseline due date. Projects of every stage count.",
    ),
}
