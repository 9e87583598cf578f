"""Model fields whose values are encrypted in the database (portal.crypto)."""

import json

from django.core.exceptions import FieldError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models.lookups import Exact, IsNull

from portal import crypto


class EmptyOrNot(Exact):
    """`field=""` (is it empty?) is all an encrypted column can answer: a token never equals the
    plain text, nor another token of the same text. Anything else is a mistake, said at once."""

    def get_prep_lookup(self):
        if self.rhs != "":
            raise FieldError(
                f"{self.lhs.output_field.name} is encrypted and can only be compared with '': "
                "look it up by its keyed hash column."
            )
        return super().get_prep_lookup()


class EncryptedCharField(models.CharField):
    """A CharField kept encrypted in a text column; max_length is that of the plain text. An
    empty value stays empty, so that the database can still tell whether there is one."""

    def get_internal_type(self):
        return "TextField"

    def from_db_value(self, value, expression, connection):
        return crypto.decrypt(value) if value else value

    def get_db_prep_value(self, value, connection, prepared=False):
        value = super().get_db_prep_value(value, connection, prepared)
        return crypto.encrypt(value) if value else value

    def get_lookup(self, lookup_name):
        return {"exact": EmptyOrNot, "isnull": IsNull}.get(lookup_name)

    def get_transform(self, lookup_name):
        return None


class EncryptedJSONField(models.TextField):
    """A JSON value (a dict of a row's cells) kept as one encrypted token; it has no lookups."""

    def from_db_value(self, value, expression, connection):
        return json.loads(crypto.decrypt(value)) if value else value

    def get_db_prep_value(self, value, connection, prepared=False):
        return crypto.encrypt(json.dumps(value, ensure_ascii=False, cls=DjangoJSONEncoder))

    def to_python(self, value):
        return value

    def get_lookup(self, lookup_name):
        return {"isnull": IsNull}.get(lookup_name)

    def get_transform(self, lookup_name):
        return None
