def task_panel(request, suggestion) -> dict:
    """What the suggestion page's task section (templates/feedback/_tasks.html) needs."""
    return {}
