from django.urls import path

from coordination.chat import views

app_name = "chat"

urlpatterns = [
    path("work-notices/", views.work_notices, name="work_notices"),
    path("callback/feishu/", views.feishu_callback, name="feishu_callback"),
]
