from django.urls import path, register_converter

from feedback.views import open311, photos, public, tasks, triage

app_name = "feedback"


class FormatConverter:
    """An Open311 resource's format: services.xml or services.json."""

    regex = "xml|json"

    def to_python(self, value):
        return value

    def to_url(self, value):
        return value


register_converter(FormatConverter, "format")

urlpatterns = [
    # The rider's side: the suggestion form, tracking by code, rating (views/public.py).
    path("suggest/", public.suggest, name="suggest"),
    path("s/<str:token>/suggest/", public.station_suggest, name="station_suggest"),
    path("track/", public.track_lookup, name="track_lookup"),
    path("track/<str:code>/", public.track, name="track"),
    path("track/<str:code>/rate/", public.rate, name="rate"),
    path("track/<str:code>/reopen/", public.reopen, name="reopen"),
    # Photos, to those who may see them (views/photos.py): never under /media/.
    path("track/<str:code>/photos/<str:name>", photos.track_photo, name="track_photo"),
    path("staff/feedback/photos/<str:name>", photos.staff_photo, name="photo"),
    # Open311 GeoReport v2 (docs/OPEN311.md).
    path("open311/v2/discovery.<format:fmt>", open311.discovery, name="open311_discovery"),
    path("open311/v2/services.<format:fmt>", open311.services, name="open311_services"),
    path(
        "open311/v2/services/<str:code>.<format:fmt>",
        open311.service_definition,
        name="open311_service",
    ),
    path("open311/v2/requests.<format:fmt>", open311.requests, name="open311_requests"),
    path(
        "open311/v2/requests/<str:public_id>.<format:fmt>",
        open311.service_request,
        name="open311_request",
    ),
    path("open311/v2/tokens/<str:token>.<format:fmt>", open311.token, name="open311_token"),
    # Staff: the triage queue and assessing (views/triage.py).
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
    # 任务分解 on the suggestion page, the handlers' tasks, the department tree (views/tasks.py).
    path("staff/feedback/suggestions/<int:pk>/tasks/add/", tasks.add_task, name="add_task"),
    path("staff/feedback/suggestions/<int:pk>/resolve/", tasks.resolve, name="resolve"),
    path("staff/feedback/tasks/", tasks.task_list, name="tasks"),
    path("staff/feedback/tasks/<int:pk>/", tasks.task_detail, name="task"),
    path("staff/feedback/tasks/<int:pk>/note/", tasks.task_note, name="task_note"),
    path("staff/feedback/tasks/<int:pk>/done/", tasks.task_done, name="task_done"),
    path("staff/feedback/departments/", tasks.departments, name="departments"),
]
