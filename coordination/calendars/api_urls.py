from django.urls import path

from coordination.calendars import api

urlpatterns = [
    path("calendar/working-days/", api.WorkingDaysView.as_view(), name="api-working-days"),
]
