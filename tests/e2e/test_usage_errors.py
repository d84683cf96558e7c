"""A usage error is one clear line on stderr and exit status 2, for every kind of mistake."""

from __future__ import annotations

import pytest

from vecha.cli.main import main


@pytest.mark.parametrize(
    ("args", "expect"),
    [
        (["frobnicate"], "No such command 'frobnicate'"),
        (["verify"], "Missing argument"),
        (["verify", "a", "b"], "unexpected extra argument"),
        (["verify", "--frob", "x"], "No such option: --frob"),
        (["seats", "votes.json", "--seats", "3", "--method", "dhont"], "'dhont' is not one of"),
        (["seats", "votes.json", "--seats", "zero"], "Invalid value for '--seats'"),
        # the README's own step, read naturally: several files after one --announcement
        (
            ["trustee", "deal", "--secret", "t1.json", "--election", "e.json", "--announcement", "t1.json", "t2.json"],
            "unexpected extra argument",
        ),
        (["trustee"], "missing command"),
    ],
)
def test_usage_errors_are_one_line_and_exit_2(args: list[str], expect: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(args) == 2
    err = capsys.readouterr().err.strip()
    assert expect in err, err
    assert len(err.splitlines()) == 1 and "Traceback" not in err, err
    assert err.startswith("error: ") and "--help" in err
