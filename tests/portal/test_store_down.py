"""The object store down during an upload: the private storage pointed at a closed port of this
machine (a real connection refused, as when the store is stopped; tests/portal/test_object_store.py
does the same through gunicorn). The user reads a page saying nothing was saved, in their
language, and nothing was: no row names a file the store never got."""

from io import BytesIO

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook
from PIL import Image

from feedback.models import Suggestion, SuggestionPhoto
from registry.imports.columns import COLUMNS
from registry.models import ImportJob
from tests.factories import StationFactory

# As in production, no transaction around the request: a failed save marks the one it is in
# for rollback, and the test's own would then refuse the error page's queries.
pytestmark = pytest.mark.django_db(transaction=True)


def photo() -> SimpleUploadedFile:
    buffer = BytesIO()
    Image.new("RGB", (64, 48), "red").save(buffer, "JPEG")
    return SimpleUploadedFile("photo.jpg", buffer.getvalue(), content_type="image/jpeg")


def file_a_hazard(client, tree):
    station = StationFactory(name="建设路暖心驿站", area=tree.community_a)
    return client.post(
        reverse("feedback:station_suggest", args=[station.token]),
        {"category": "hazard", "text": "建设路口井盖缺失，晚上看不见", "photos": [photo()]},
    )


def test_a_hazard_with_a_photo_says_in_chinese_that_nothing_was_saved(client, tree, store_down):
    response = file_a_hazard(client, tree)
    assert response.status_code == 503
    page = response.content.decode()
    assert "文件存储暂时无法使用" in page
    assert "您提交的内容和文件都没有保存" in page
    assert not Suggestion.objects.exists() and not SuggestionPhoto.objects.exists()


def test_the_page_is_in_english_for_a_reader_of_english(client, tree, store_down, settings):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    response = file_a_hazard(client, tree)
    assert response.status_code == 503
    assert "nothing you sent has been saved" in response.content.decode()
    assert not Suggestion.objects.exists()


def test_a_survey_list_upload_leaves_no_job(client, staff_a, store_down, settings):
    workbook = Workbook()
    workbook.active.append([column.header for column in COLUMNS])
    workbook.active.append(["王小明", "13900000011", "外卖骑手", "美团"])
    content = BytesIO()
    workbook.save(content)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    client.force_login(staff_a)
    response = client.post(
        reverse("registry:import_start"),
        {"file": SimpleUploadedFile("survey.xlsx", content.getvalue()), "consent": "on"},
    )
    assert response.status_code == 503
    assert "Files cannot be stored right now" in response.content.decode()
    assert not ImportJob.objects.exists()
