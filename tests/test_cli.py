"""The ``gotone`` command's help: every option explained, examples, exit codes, no markup."""

from __future__ import annotations

import pytest

from gotone_analysis import cli
from gotone_analysis.runner import EXIT_FAILED, EXIT_INTERRUPTED, EXIT_OK, EXIT_USAGE


def _help(capsys, *argv: str) -> str:
    with pytest.raises(SystemExit) as stop:
        cli.main([*argv, "--help"])
    assert stop.value.code == 0
    return capsys.readouterr().out


def _options(parser_args: tuple[str, ...]) -> list[str]:
    parser = cli.build_parser()
    for name in parser_args:
        parser = next(a for a in parser._actions if a.dest in ("command", "action")).choices[name]
    return [s for a in parser._actions for s in a.option_strings if s.startswith("--")
            and s != "--help"]


def test_the_main_help_is_plain_text_with_examples_and_exit_codes(capsys):
    text = _help(capsys)
    assert "``" not in text and ":func:" not in text and "The ``gotone``" not in text
    assert "GoTone" in text and "examples:" in text
    for command in ("demo-data", "validate", "run", "cache"):
        assert f"gotone {command}" in text
    for code in (EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_INTERRUPTED):
        assert f"  {code} " in text


@pytest.mark.parametrize("command", [("run",), ("demo-data",), ("validate",),
                                     ("cache", "clear")])
def test_every_option_has_its_help_and_every_command_its_exit_codes(command, capsys):
    parser = cli.build_parser()
    for name in command:
        parser = next(a for a in parser._actions if a.dest in ("command", "action")).choices[name]
    for action in parser._actions:
        if action.option_strings and action.dest != "help":
            assert action.help, (command, action.option_strings)
    text = _help(capsys, *command)
    assert "examples:" in text and "exit codes:" in text and f"  {EXIT_USAGE} " in text
    for option in _options(command):
        assert option in text


def test_the_run_help_says_what_each_value_may_be(capsys):
    text = " ".join(_help(capsys, "run").split())
    for option in ("--quarter", "--scope", "--reports", "--jobs", "--data", "--out", "--lang",
                   "--compare-to", "--min-base", "--seed", "--engine", "--no-cache"):
        assert option in text
    # a quarter, a range, a list or all
    assert "2010Q4" in text and "2010Q1:2010Q4" in text and "2010Q3,2010Q4" in text
    assert "'all'" in text
    assert "'previous'" in text and "'year_ago'" in text and "YYYYQn" in text
    assert "gotone run --quarter 2009Q1:2010Q4 --scope all" in text
    assert f"{EXIT_INTERRUPTED} interrupted" in text and "full path" in text
