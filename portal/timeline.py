"""Timeline rows that keep what changed as {field: [old, new]}, and how they read on a page.

Apps' event models (registry.WorkerEvent, stations.StationEvent) store raw values — choice codes,
flags, lists of codes — and put them into words only when shown, in the reader's language.
"""

from django.utils.translation import gettext


def stored_value(value):
    """A field's value as a timeline keeps it in JSON: flags, lists and mappings as they are,
    anything else (text, numbers, areas by name) as text."""
    return value if isinstance(value, bool | dict | list | None) else str(value)


class ReadableChanges:
    """Mixed into an event model with a `changes` field of `changed_model`'s fields."""

    changed_model = None
    # Entries that are not fields of changed_model: {name: label}.
    extra_labels: dict = {}
    # Choices for values the model field does not carry itself (lists of codes): {name: choices}.
    extra_choices: dict = {}

    def readable_changes(self) -> list[tuple[str, str, str]]:
        """(field label, old, new) with choice codes, flags and lists of codes put into words."""
        return [
            (self._label(field), self._readable(field, old), self._readable(field, new))
            for field, (old, new) in self.changes.items()
        ]

    def _label(self, field: str) -> str:
        if field in self.extra_labels:
            return str(self.extra_labels[field])
        return str(self.changed_model._meta.get_field(field).verbose_name)

    def _choices(self, field: str) -> dict:
        if field in self.extra_choices:
            return dict(self.extra_choices[field].choices)
        if field in self.extra_labels:
            return {}
        return dict(self.changed_model._meta.get_field(field).flatchoices)

    def _readable(self, field: str, value) -> str:
        if isinstance(value, bool):
            return gettext("Yes") if value else gettext("No")
        if isinstance(value, dict):
            return "…"  # e.g. a week of opening hours: the page shows the current ones
        choices = self._choices(field)
        if isinstance(value, list):
            return "、".join(str(choices.get(code, code)) for code in value) or "—"
        value = choices.get(value, value)
        return str(value) if value not in ("", None) else "—"
