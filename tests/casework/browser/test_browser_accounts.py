"""An account's life in Chromium: an area supervisor adds an analyst (an error first), the
set-password email arrives through a real SMTP server, the new analyst chooses a password
and signs in; the supervisor changes and deactivates an account after confirming. axe-core
(WCAG 2.2 AA) on each page, no CSP breakage."""

from __future__ import annotations

import re

import pytest
from casework_factories import make_world
from test_browser_journey import Session

from paramount.casework.models import User

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_account_added_password_chosen_changed_and_deactivated(
    browser, axe_source, live_server, smtp_server, settings
) -> None:
    settings.PARAMOUNT_REQUIRE_SECOND_FACTOR = False
    settings.PARAMOUNT_BASE_URL = live_server.url
    make_world()
    base = live_server.url

    sup = Session(browser, base, axe_source)
    sup.sign_in("supervisor_south")
    sup.go("/administration/")
    sup.page.get_by_role("button", name="Add an account").click()
    sup.axe("add an account")
    sup.page.get_by_label("Username").fill("newanalyst")
    sup.page.get_by_label("First name").fill("Nadia")
    sup.page.get_by_label("Last name").fill("Quill")
    sup.page.get_by_label("Email").fill("newanalyst@force.example")
    sup.page.get_by_label("Analyst").check()
    sup.page.get_by_role("button", name="Add account").click()  # no area chosen: an error
    summary = sup.page.locator(".govuk-error-summary")
    assert summary.is_visible() and "Choose at least one area" in summary.inner_text()
    sup.axe("add an account, with errors")
    sup.page.get_by_label("Southtown").check()
    sup.page.get_by_role("button", name="Add account").click()
    assert "newanalyst added" in sup.page.locator(".govuk-notification-banner").inner_text()
    sup.axe("administration, after adding")

    # The change form, then the confirmation before deactivating.
    sup.page.get_by_role("link", name="Change champion_south").click()
    sup.axe("change an account")
    sup.page.get_by_label("Last name").fill("South")  # made without one: the form asks
    sup.page.get_by_label("Research and intelligence checker").check()
    sup.page.get_by_role("button", name="Save changes").click()
    assert "champion_south changed" in sup.page.content()
    sup.page.get_by_role("button", name="Deactivate champion_south").click()
    assert "Deactivate account champion_south?" in sup.page.content()
    sup.axe("deactivate, confirm")
    assert User.objects.get(username="champion_south").is_active
    sup.page.get_by_role("button", name="Deactivate champion_south").click()
    assert "champion_south deactivated" in sup.page.content()
    assert not User.objects.get(username="champion_south").is_active
    sup.close()

    # The email, then the link: choose a password, sign in.
    [message] = smtp_server.to("newanalyst@force.example")
    body = message.get_payload(decode=True).decode()
    link = re.search(r"(http://\S+/accounts/set-password/\S+/)", body).group(1)
    new = Session(browser, base, axe_source)
    new.page.goto(link)
    assert "/choose/" in new.page.url
    new.axe("choose your password")
    new.page.get_by_label("New password").fill("short")
    new.page.get_by_label("Confirm the password").fill("short")
    new.page.get_by_role("button", name="Set password").click()
    assert new.page.locator(".govuk-error-summary").is_visible()
    new.axe("choose your password, with errors")
    new.page.get_by_label("New password").fill("violet-harbour-lantern-42")
    new.page.get_by_label("Confirm the password").fill("violet-harbour-lantern-42")
    new.page.get_by_role("button", name="Set password").click()
    assert "Your password is set" in new.page.content()
    new.page.get_by_label("Username").fill("newanalyst")
    new.page.get_by_label("Password").fill("violet-harbour-lantern-42")
    new.page.get_by_role("button", name="Sign in").click()
    new.page.wait_for_url(re.compile(r"/cases/$"))
    new.page.goto(link)
    assert "This link no longer works" in new.page.content()
    new.axe("link no longer works")
    new.close()

    for session in (sup, new):
        assert not session.csp_errors, session.csp_errors
    problems = {name: v for s in (sup, new) for name, v in s.violations.items() if v}
    assert not problems, problems
    assert sum(len(s.violations) for s in (sup, new)) == 8
