from django.urls import path

from feedback.views import triage

app_name = "feedback"

# Each part of the loop adds its own lines: the triage (views/triage.py), …
urlpatterns = [
    path("staff/feedback/", triage.queue, name="queue"),
    path("staff/feedback/suggestions/", triage.suggestion_list, name="suggestions"),
    path("staff/feedback/suggestions/new/", triage.enter, name="enter"),
    path("staff/feedback/suggestions/<int:pk>/", triage.suggestion_detail, name="suggestion"),
    path("staff/feedback/suggestions/<int:pk>/accept/", triage.accept, name="accept"),
    path("staff/feedback/suggestions/<int:pk>/reject/", triage.reject, name="reject"),
    path("staff/feedback/suggestions/<int:pk>/duplicate/", triage.duplicate, name="duplicate"),
    path("staff/feedback/suggestions/<int:pk>/merge/", triage.merge, name="merge"),
    path("staff/feedback/suggestions/<int:pk>/transfer/", triage.transfer, name="transfer"),
    path("staff/feedback/photos/<int:pk>/hide/", triage.hide_photo, name="hide_photo"),
]
