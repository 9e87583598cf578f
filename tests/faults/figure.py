"""The figure of the fault tests: faults injected and requests lost (target 0), printed at the
end of the run by tests/faults/conftest.py, for the real web process (gunicorn, the services
pass) and for this process (the Django test client, eager tasks) apart."""

from collections import Counter, defaultdict
from dataclasses import dataclass, field

WHERE = ("gunicorn", "in-process")


@dataclass
class Figure:
    faults: defaultdict = field(default_factory=lambda: defaultdict(Counter))
    requests: Counter = field(default_factory=Counter)
    lost: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def fault(self, kind: str, times: int = 1, where: str = "in-process") -> None:
        self.faults[where][kind] += times

    def request(self, label: str, status: int | None, where: str = "in-process") -> bool:
        """Count a request that should succeed; lost when it answered 5xx or not at all."""
        self.requests[where] += 1
        ok = status is not None and status < 500
        if not ok:
            self.lost.append(f"{where} {label}: {status}")
        return ok

    def lines(self) -> list[str]:
        lines = []
        for where in WHERE:
            faults = self.faults[where]
            if not faults and not self.requests[where]:
                continue
            kinds = ", ".join(f"{kind} ×{count}" for kind, count in sorted(faults.items()))
            lost = sum(1 for lost in self.lost if lost.startswith(f"{where} "))
            lines.append(
                f"{where}: faults injected {sum(faults.values())} ({kinds}); "
                f"requests {self.requests[where]}, lost {lost}"
            )
        return [*lines, *self.notes, *(f"  lost: {lost}" for lost in self.lost)]


FIGURE = Figure()
