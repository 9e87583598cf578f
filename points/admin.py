from django.contrib import admin

from points.models import Account, Entry, StarLevel


class ReadOnlyAdmin(admin.ModelAdmin):
    """The ledger is append-only and a balance is the sum of its entries: both change only
    through points.services.ledger (a correction is a new entry), so the admin shows them and
    nothing more."""

    # Millions of entries: no COUNT(*) over the whole table for "n total".
    show_full_result_count = False

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Account)
class AccountAdmin(ReadOnlyAdmin):
    list_display = ["worker", "balance"]
    list_select_related = ["worker"]
    search_fields = ["worker__name", "worker__mobile"]


@admin.register(Entry)
class EntryAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "worker", "amount", "kind", "note", "recorded_by"]
    list_filter = ["kind"]
    list_select_related = ["worker", "recorded_by"]
    search_fields = ["worker__name", "worker__mobile", "cause", "note"]


@admin.register(StarLevel)
class StarLevelAdmin(admin.ModelAdmin):
    """The hours of each star level (星级志愿者): administrators change them here; the five
    levels are seeded, so none is added or deleted."""

    list_display = ["stars", "hours"]
    list_editable = ["hours"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
