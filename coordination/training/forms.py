"""Forms of the training pages. Shape only: the rules live in coordination.training.services."""

from __future__ import annotations

from django import forms
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from coordination.core.forms import add_version_field
from coordination.core.limits import NOTE_MAX_LENGTH, TEXT_MAX_LENGTH
from coordination.core.models import Department
from coordination.core.people import PersonChoiceField, PersonMultipleChoiceField
from coordination.core.uploads import allowed_extensions
from coordination.training.models import SCORE_MAX, SCORE_MIN, TrainingSession, TrainingTopic
from coordination.training.selectors import PAST, UPCOMING, topics
from projects.core.team import people

ACCEPT = ",".join(f".{ext}" for ext in allowed_extensions())
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"]


def _bootstrap(form) -> None:
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxSelectMultiple | forms.CheckboxInput):
            continue
        css = "form-select" if isinstance(widget, forms.Select) else "form-control"
        widget.attrs.setdefault("class", css)


class TopicChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.label(translation.get_language() or "")


def _people():
    return people().select_related("profile").order_by("last_name", "first_name", "username")


class SessionForm(forms.Form):
    topic = TopicChoiceField(label=_("主题"), queryset=TrainingTopic.objects.none())
    title = forms.CharField(label=_("标题"), max_length=200)
    trainer = PersonChoiceField(
        label=_("讲师"), queryset=_people().none(), required=False, empty_label=_("（外部讲师）")
    )
    trainer_name = forms.CharField(
        label=_("外部讲师"),
        max_length=100,
        required=False,
        help_text=_("讲师不是本系统用户时填写。"),
    )
    starts_at = forms.DateTimeField(
        label=_("开始时间"),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        input_formats=DATETIME_FORMATS,
    )
    duration_minutes = forms.IntegerField(
        label=_("时长(分钟)"), min_value=15, max_value=1440, initial=60
    )
    location = forms.CharField(label=_("地点"), max_length=200, required=False)
    online_url = forms.URLField(label=_("线上链接"), max_length=500, required=False)
    description = forms.CharField(
        label=_("内容简介"),
        required=False,
        max_length=TEXT_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    audience = forms.MultipleChoiceField(
        label=_("培训对象部门"), choices=Department.choices, widget=forms.CheckboxSelectMultiple
    )
    invitees = PersonMultipleChoiceField(
        label=_("邀请人员"),
        queryset=_people().none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("按住Ctrl或Cmd可多选。"),
    )
    invite_audience = forms.BooleanField(label=_("邀请培训对象部门的全体人员"), required=False)

    def __init__(self, *args, session: TrainingSession | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        active = topics()
        if session is not None:  # an edited session keeps its topic even if inactive now
            active = TrainingTopic.objects.filter(pk=session.topic_id) | active
        self.fields["topic"].queryset = active
        self.fields["trainer"].queryset = _people()
        self.fields["invitees"].queryset = _people()
        if session is not None:
            self.fields["invitees"].label = _("追加邀请人员")
            add_version_field(self, session)
        _bootstrap(self)

    def clean(self):
        data = super().clean()
        if not data.get("trainer") and not (data.get("trainer_name") or "").strip():
            self.add_error("trainer_name", _("请选择讲师或填写外部讲师姓名。"))
        return data

    @staticmethod
    def initial_of(session: TrainingSession, audience: list[str]) -> dict:
        return {
            "topic": session.topic_id,
            "title": session.title,
            "trainer": session.trainer_id,
            "trainer_name": session.trainer_name,
            "starts_at": session.starts_at,
            "duration_minutes": session.duration_minutes,
            "location": session.location,
            "online_url": session.online_url,
            "description": session.description,
            "audience": audience,
        }


class SessionFilterForm(forms.Form):
    when = forms.ChoiceField(
        label=_("时间"),
        choices=[(UPCOMING, _("即将举行")), (PAST, _("已过去"))],
        required=False,
    )
    topic = forms.ModelChoiceField(
        label=_("主题"),
        queryset=TrainingTopic.objects.all(),
        required=False,
        empty_label=_("全部主题"),
    )
    department = forms.ChoiceField(
        label=_("部门"), choices=[("", _("全部部门")), *Department.choices], required=False
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["topic"].label_from_instance = lambda t: t.label(
            translation.get_language() or ""
        )
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-select form-select-sm"


class FeedbackForm(forms.Form):
    score = forms.TypedChoiceField(
        label=_("评分"),
        coerce=int,
        choices=[(n, str(n)) for n in range(SCORE_MAX, SCORE_MIN - 1, -1)],
        widget=forms.RadioSelect,
    )
    comment = forms.CharField(
        label=_("反馈意见"),
        required=False,
        max_length=NOTE_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
    )


class CancelForm(forms.Form):
    reason = forms.CharField(label=_("取消原因"), max_length=NOTE_MAX_LENGTH, required=False)


class MaterialForm(forms.Form):
    title = forms.CharField(
        label=_("标题"), max_length=200, widget=forms.TextInput(attrs={"class": "form-control"})
    )
    file = forms.FileField(
        label=_("文件"),
        allow_empty_file=True,  # the upload check says "文件为空" itself
        widget=forms.ClearableFileInput(attrs={"class": "form-control", "accept": ACCEPT}),
    )
    note = forms.CharField(
        label=_("说明"),
        max_length=500,
        required=False,
        widget=forms.TextInput(attrs={"class": "form-control"}),
    )


class MaterialVersionForm(forms.Form):
    file = MaterialForm.base_fields["file"]
    note = MaterialForm.base_fields["note"]


class YearForm(forms.Form):
    year = forms.IntegerField(min_value=2000, max_value=2100, required=False)
