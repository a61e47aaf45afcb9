from django.urls import path

from coordination.lessons import api

urlpatterns = [
    path("lessons/", api.LessonListView.as_view(), name="api-lessons"),
    path("lessons/<int:pk>/", api.LessonDetailView.as_view(), name="api-lesson"),
    path("lessons/<int:pk>/actions/", api.LessonActionsView.as_view(), name="api-lesson-actions"),
    path("reviews/<int:pk>/lessons/", api.ReviewLessonsView.as_view(), name="api-review-lessons"),
    path(
        "projects/<str:code>/similar-lessons/",
        api.SimilarLessonsView.as_view(),
        name="api-similar-lessons",
    ),
]
