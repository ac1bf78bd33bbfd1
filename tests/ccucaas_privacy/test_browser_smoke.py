import pytest


@pytest.mark.browser
def test_portal_home_renders_in_japanese_and_switches_to_english(browser_page):
    page = browser_page
    page.goto(page.base_url + "/")
    assert page.locator("html").get_attribute("lang") == "ja"
    assert "30日以内" in page.content()
    page.select_option("#language", "en")
    page.wait_for_url("**/en/**")
    assert "within 30 days" in page.content()
