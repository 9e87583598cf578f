"""A staff member signing in in the browser: the password, then the code of their authenticator,
which the test computes (tests.signin; the authenticator is made for them if they have none)."""

import time

from portal.models import User
from tests.factories import PASSWORD
from tests.signin import authenticator, code


def enter_password(page, username, password=PASSWORD):
    page.goto("/accounts/login/")
    page.locator("#id_username").fill(username)
    page.locator("#id_password").fill(password)
    page.locator("main form button[type=submit]").click()


def sign_in(page, username, password=PASSWORD):
    """Both steps, in whichever language the page is, ending on the staff home."""
    device = authenticator(User.objects.get(username=username))
    # A code signs in once: a second sign-in in the same 30 seconds waits for the next one.
    while device.last_t >= (int(time.time()) - device.t0) // device.step:
        time.sleep(1)
    enter_password(page, username, password)
    page.wait_for_url("**/accounts/code/**")
    page.locator("#id_code").fill(code(device))
    page.locator("main form button[type=submit]").last.click()
    page.wait_for_url("**/staff/")
