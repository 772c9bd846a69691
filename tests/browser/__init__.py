"""The reference web app in a real headless Chromium, through Playwright."""
