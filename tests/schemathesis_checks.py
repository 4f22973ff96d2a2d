"""What both fuzzing tests share: the Schemathesis checks they run (every built-in response
check) and how they report what they sent."""

import pytest
from schemathesis.checks import CHECKS, CheckFunction

# Schemathesis gives up on an answer after 10 s, which on a busy machine is a timing
# assertion; the app's own statement timeout bounds every request, so wait for its answer.
NO_TIME_LIMIT_S = 600

RESPONSE_CHECKS = {
    "not_a_server_error",
    "status_code_conformance",
    "content_type_conformance",
    "response_headers_conformance",
    "response_schema_conformance",
    "negative_data_rejection",
    "positive_data_acceptance",
}
# Checks of a sequence of calls, which only the stateful run makes.
STATEFUL_CHECKS = {"use_after_free", "ensure_resource_availability", "ignored_auth"}


def every_response_check(*, stateful: bool = False) -> list[CheckFunction]:
    """All of Schemathesis' built-in response checks (classes are whole-run checks); fails
    when one the tests count on is missing from the installed version."""
    checks = [check for check in CHECKS.get_all() if not isinstance(check, type)]
    names = {check.__name__ for check in checks}
    expected = RESPONSE_CHECKS | (STATEFUL_CHECKS if stateful else set())
    assert expected <= names, expected - names
    return checks


def report_once(
    request: pytest.FixtureRequest, reported: set[str], lines: dict[str, list[str]]
) -> None:
    """Print each backend's `lines` once (`reported` remembers which), past pytest's output
    capture: the tallies are the run's evidence, so they show without `-s`."""
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if reporter is None or capture is None:
        return
    with capture.global_and_fixture_disabled():
        for backend, backend_lines in sorted(lines.items()):
            if backend not in reported:
                reported.add(backend)
                for line in backend_lines:
                    reporter.write_line(line)
