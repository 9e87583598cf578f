"""Counting a rider's taps in the browser: every tap on a link, button or box, every field typed
into (a tap, then typing), every drop-down (a tap to open, one to choose), and every scan of a
station's QR code (opening its address)."""


class Taps:
    def __init__(self, page):
        self.page = page
        self.taps = 0
        self.scans = 0
        self.typed: list[str] = []

    def scan(self, path: str) -> None:
        self.scans += 1
        self.page.goto(path)

    def tap(self, locator) -> None:
        self.taps += 1
        locator.click()

    def type(self, locator, text: str) -> None:
        self.taps += 1
        self.typed.append(text)
        locator.fill(text)

    def choose(self, locator, label: str) -> None:
        self.taps += 2
        locator.select_option(label=label)

    def times_typed(self, text: str) -> int:
        return self.typed.count(text)
