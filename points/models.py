from django.db import models
from django.db.models.functions import Now
from django.utils.translation import gettext_lazy as _

from portal.models import staff_reference
from registry.models import Worker


class EntryKind(models.TextChoices):
    ACTIVITY = "activity", _("Activity attended")
    HAZARD_ACCEPTED = "hazard_accepted", _("Hazard report accepted")
    GRID_DUTY = "grid_duty", _("Grid duty")
    ADJUSTMENT = "adjustment", _("Manual adjustment")
    REDEMPTION = "redemption", _("Reward redeemed")
    REFUND = "refund", _("Redemption refunded")


class Account(models.Model):
    """A worker's points balance: always the sum of their ledger entries, never below zero
    (the database refuses it, whatever the code above it does)."""

    worker = models.OneToOneField(
        Worker, on_delete=models.CASCADE, related_name="points_account", verbose_name=_("worker")
    )
    balance = models.IntegerField(_("balance"), default=0)

    class Meta:
        verbose_name = _("points account")
        verbose_name_plural = _("points accounts")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(balance__gte=0), name="points_balance_not_negative"
            ),
        ]

    def __str__(self):
        return f"{self.worker}: {self.balance}"


class Entry(models.Model):
    """One line of the append-only points ledger. Never edited or deleted: a new entry corrects."""

    worker = models.ForeignKey(
        Worker, on_delete=models.CASCADE, related_name="points_entries", verbose_name=_("worker")
    )
    amount = models.IntegerField(_("points"))
    kind = models.CharField(_("kind"), max_length=20, choices=EntryKind.choices)
    # What caused it, as "app.model:pk" ("feedback.suggestion:42"): one award per cause and kind.
    cause = models.CharField(_("caused by"), max_length=64, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)
    recorded_by = staff_reference(_("recorded by"))
    created_at = models.DateTimeField(_("at"), db_default=Now())

    class Meta:
        verbose_name = _("points entry")
        verbose_name_plural = _("points ledger")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["worker", "-created_at"], name="points_entry_worker")]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "cause"],
                condition=~models.Q(cause=""),
                name="points_entry_once_per_cause",
            ),
        ]

    def __str__(self):
        return f"{self.worker}: {self.amount:+d} {self.get_kind_display()}"
