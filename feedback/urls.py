from django.urls import include, path, register_converter

from feedback.views import (
    callbacks,
    desk,
    ledger,
    open311,
    photos,
    public,
    support,
    tasks,
    triage,
)
from portal.converters import MatchingConverter

app_name = "feedback"


class FormatConverter(MatchingConverter):
    """An Open311 resource's format: services.xml or services.json."""

    regex = "xml|json"


class RequestIdConverter(MatchingConverter):
    """An Open311 service request's id or token (a suggestion's public id), in any case: letters
    and digits. Any of them is an address of the API, which answers an unknown one with its own
    errors document; no id has another character (a NUL would be a 500 on PostgreSQL)."""

    regex = "[A-Za-z0-9]+"

    def to_python(self, value):
        return value.upper()


register_converter(FormatConverter, "format")
register_converter(RequestIdConverter, "request_id")

# A suggestion by its tracking code, as its submitter follows it (views/public.py), and its
# photos' files (views/photos.py).
tracking_urls = [
    path("", public.track, name="track"),
    path("rate/", public.rate, name="rate"),
    path("reopen/", public.reopen, name="reopen"),
    path("stop-texts/", public.stop_texts, name="stop_texts"),
    path("photos/<file_name:name>", photos.track_photo, name="track_photo"),
]

# One suggestion, for staff: assessing it (views/triage.py), 任务分解 and resolving it
# (views/tasks.py).
suggestion_urls = [
    path("", triage.suggestion_detail, name="suggestion"),
    path("accept/", triage.accept, name="accept"),
    path("reject/", triage.reject, name="reject"),
    path("duplicate/", triage.duplicate, name="duplicate"),
    path("merge/", triage.merge, name="merge"),
    path("transfer/", triage.transfer, name="transfer"),
    path("issue-type/", triage.issue_type, name="issue_type"),
    path("rectify/", ledger.rectify, name="rectify"),
    path("tasks/add/", tasks.add_task, name="add_task"),
    path("resolve/", tasks.resolve, name="resolve"),
    path("close/", desk.close_returned, name="close_returned"),
    path("callback/", callbacks.callback, name="callback"),
    path("summary/", triage.publish_summary, name="publish_summary"),
    path("summary/withdraw/", triage.withdraw_summary, name="withdraw_summary"),
]

# One department task, for its handlers (views/tasks.py).
task_urls = [
    path("", tasks.task_detail, name="task"),
    path("note/", tasks.task_note, name="task_note"),
    path("done/", tasks.task_done, name="task_done"),
    # The department desk (views/desk.py): 签收, 退单, 延期 and its decision, 督办.
    path("acknowledge/", desk.acknowledge, name="task_acknowledge"),
    path("return/", desk.return_task, name="task_return"),
    path("extension/", desk.request_extension, name="task_extension"),
    path("extension/decide/", desk.decide_extension, name="task_extension_decide"),
    path("supervise/", desk.supervise, name="task_supervise"),
    path("supervisions/seen/", desk.supervisions_seen, name="task_supervisions_seen"),
]

urlpatterns = [
    # The rider's side: the suggestion form, tracking by code, rating (views/public.py).
    path("suggest/", public.suggest, name="suggest"),
    path("s/<station_token:token>/suggest/", public.station_suggest, name="station_suggest"),
    # 我也遇到了 on a report open near the station (views/support.py).
    path(
        "s/<station_token:token>/me-too/<readable_code:public_id>/",
        support.support,
        name="support",
    ),
    path("track/", public.track_lookup, name="track_lookup"),
    path("track/<readable_code:code>/", include(tracking_urls)),
    # A published result photo, on a station's page and the map (views/photos.py).
    path("done/photos/<file_name:name>", photos.done_photo, name="done_photo"),
    # A photo's file, to those who may see it (views/photos.py): never under /media/.
    path("staff/feedback/photos/<file_name:name>", photos.staff_photo, name="photo"),
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
        "open311/v2/requests/<request_id:public_id>.<format:fmt>",
        open311.service_request,
        name="open311_request",
    ),
    path(
        "open311/v2/tokens/<request_id:token>.<format:fmt>",
        open311.token,
        name="open311_token",
    ),
    # Staff: the triage queue and assessing (views/triage.py).
    path("staff/feedback/", triage.queue, name="queue"),
    path("staff/feedback/suggestions/", triage.suggestion_list, name="suggestions"),
    path("staff/feedback/suggestions/new/", triage.enter, name="enter"),
    path(
        "staff/feedback/suggestions/export.xlsx",
        triage.suggestion_export,
        name="suggestions_export",
    ),
    path("staff/feedback/suggestions/<int:pk>/", include(suggestion_urls)),
    path("staff/feedback/photos/<int:pk>/hide/", triage.hide_photo, name="hide_photo"),
    # 差评整改台账 (views/ledger.py).
    path("staff/feedback/low-ratings/", ledger.ledger_list, name="ledger"),
    path("staff/feedback/low-ratings/export.xlsx", ledger.ledger_export, name="ledger_export"),
    # The handlers' tasks and the department tree (views/tasks.py).
    path("staff/feedback/tasks/", tasks.task_list, name="tasks"),
    path("staff/feedback/tasks/export.xlsx", tasks.task_export, name="tasks_export"),
    path("staff/feedback/tasks/<int:pk>/", include(task_urls)),
    path("staff/feedback/departments/", tasks.departments, name="departments"),
    path(
        "staff/feedback/task-photos/<int:pk>/publish/",
        desk.publish_photo,
        name="task_photo_publish",
    ),
]
