"""Browser tests: Playwright driving headless Chromium against a live MailApp."""
