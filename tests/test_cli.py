"""`hpf help`: the project's commands, grouped by area, each once with its one-line description; Django's own
commands only under their own heading with `--all`; hyphen and underscore spellings name the same command."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.core.management import get_commands

from openhpf import cli


def run_hpf(capsys: pytest.CaptureFixture[str], *args: str) -> str:
    cli.main(list(args))
    return capsys.readouterr().out


def project_section(out: str) -> str:
    return out.split("Django 命令：")[0]


def test_project_commands_found_in_every_app() -> None:
    commands = cli.project_commands()
    # one command of each kind of app, and none of Django's
    assert {"cutover", "remit", "settlement", "recon", "finance", "dayend", "verify", "bank_sim"} <= set(commands)
    assert not {"migrate", "runserver", "collectstatic", "shell"} & set(commands)


@pytest.mark.parametrize("args", [("help",), ("help", "--all"), ()])
def test_help_lists_each_project_command_once_with_its_description(capsys, args) -> None:
    out = run_hpf(capsys, *args)
    section = project_section(out)
    listed = re.findall(r"^    (\S+) +(\S.*)$", section, flags=re.MULTILINE)
    names = [name for name, _ in listed]
    assert sorted(names) == sorted(cli.spelled(n) for n in cli.project_commands())
    assert len(names) == len(set(names))
    for name, text in listed:
        command = cli.Utility(["hpf"]).fetch_command(name)
        assert text == cli.summary(command) and len(text) >= 6, name
        assert text in " ".join(str(command.help).split()), name
    assert "[其他]" not in section  # every app with commands has its area
    for area in cli.AREA_ORDER:
        assert f"[{area}]" in section


def test_django_commands_only_after_their_own_heading(capsys) -> None:
    django_names = {name for name in get_commands() if name not in cli.project_commands()}
    plain = run_hpf(capsys, "help")
    listed = set(re.findall(r"^    (\S+)", plain, flags=re.MULTILINE))
    assert not listed & django_names
    assert "hpf help --all" in plain
    full = run_hpf(capsys, "help", "--all")
    project, django = full.split("Django 命令：")
    assert not set(re.findall(r"^    (\S+)", project, flags=re.MULTILINE)) & django_names
    assert set(re.findall(r"^    (\S+)$", django, flags=re.MULTILINE)) == django_names


def test_both_spellings_resolve_to_the_same_command() -> None:
    utility = cli.Utility(["hpf"])
    for name in cli.project_commands():
        hyphen, underscore = cli.spelled(name), cli.module_name(name)
        assert type(utility.fetch_command(hyphen)) is type(utility.fetch_command(underscore)), name
    assert "-" in "".join(cli.spelled(n) for n in cli.project_commands())  # some names do differ


def test_help_of_one_command_in_either_spelling(capsys) -> None:
    hyphen = run_hpf(capsys, "help", "bank-sim")
    underscore = run_hpf(capsys, "help", "bank_sim")
    assert hyphen.startswith("usage: hpf bank-sim ")
    assert underscore.startswith("usage: hpf bank_sim ")
    assert "--notify-url" in hyphen and "银行模拟器" in hyphen
    assert hyphen.replace("bank-sim", "bank_sim") == underscore


def test_a_project_command_runs_under_its_hyphen_name(capsys) -> None:
    with pytest.raises(SystemExit) as exit_:
        cli.main(["trial-balance"])  # the required --period is missing: the command's own parser answers
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert "usage: hpf trial-balance" in err and "--period" in err


def test_readme_spells_every_project_command_with_hyphens() -> None:
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    for name in cli.project_commands():
        assert re.search(rf"`hpf {re.escape(cli.spelled(name))}\b", readme), f"README does not show hpf {name}"
        if "_" in name:
            assert not re.search(rf"hpf {re.escape(name)}\b", readme), f"README spells hpf {name} with underscores"


def test_an_unknown_command_suggests_the_hyphen_spelling(capsys) -> None:
    with pytest.raises(SystemExit) as exit_:
        cli.main(["trial_balanse"])
    assert exit_.value.code == 1
    assert "未知命令：trial_balanse，是否要用 hpf trial-balance？" in capsys.readouterr().err
