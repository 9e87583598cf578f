from django.urls import path

from feedback.views import tasks

app_name = "feedback"

# Each part of the loop adds its own lines.
urlpatterns = [
    # 任务分解 on the suggestion page, the handlers' tasks, the department tree (views/tasks.py).
    path("staff/feedback/suggestions/<int:pk>/tasks/add/", tasks.add_task, name="add_task"),
    path("staff/feedback/suggestions/<int:pk>/resolve/", tasks.resolve, name="resolve"),
    path("staff/feedback/tasks/", tasks.task_list, name="tasks"),
    path("staff/feedback/tasks/<int:pk>/", tasks.task_detail, name="task"),
    path("staff/feedback/tasks/<int:pk>/note/", tasks.task_note, name="task_note"),
    path("staff/feedback/tasks/<int:pk>/done/", tasks.task_done, name="task_done"),
    path("staff/feedback/departments/", tasks.departments, name="departments"),
]
