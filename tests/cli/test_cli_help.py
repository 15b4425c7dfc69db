"""``--help`` of every subcommand, registered on a fresh parser and through ``keras_saliency.cli.main``."""

import argparse
import importlib

import pytest

from keras_saliency import cli

# evaluate and convert until the lead lists them in cli.SUBCOMMANDS
NAMES = tuple(cli.SUBCOMMANDS) + tuple(name for name in ("evaluate", "convert") if name not in cli.SUBCOMMANDS)


@pytest.fixture
def main(monkeypatch):
    monkeypatch.setattr(cli, "SUBCOMMANDS", NAMES)
    return cli.main


@pytest.mark.parametrize("name", NAMES)
def test_every_option_is_documented_on_a_fresh_parser(name, capsys):
    parser = argparse.ArgumentParser(prog="keras-saliency")
    subparsers = parser.add_subparsers(dest="command")
    importlib.import_module(f"keras_saliency.cli.{name}").register(subparsers)
    subparser = subparsers.choices[name]
    assert len(subparser.description or "") > 60, "a description saying what the command does"
    undocumented = [a.dest for a in subparser._actions if not a.help]
    assert not undocumented
    assert callable(subparser.get_default("func"))
    with pytest.raises(SystemExit) as exit_info:
        parser.parse_args([name, "--help"])
    assert exit_info.value.code == 0
    text = capsys.readouterr().out
    assert text.startswith(f"usage: keras-saliency {name} ") and "%%" not in text


def test_main_lists_every_subcommand_with_its_summary(main, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["--help"])
    assert exit_info.value.code == 0
    text = capsys.readouterr().out
    for name in NAMES:
        assert f"    {name} " in text, name


@pytest.mark.parametrize("name", NAMES)
def test_main_subcommand_help(main, name, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main([name, "--help"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out.startswith(f"usage: keras-saliency {name} ")


def test_unknown_subcommand_and_missing_arguments_exit_2(main, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["no_such_command"])
    assert exit_info.value.code == 2 and "invalid choice: 'no_such_command'" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exit_info:
        main(["evaluate", "--model", "gbvs"])
    assert exit_info.value.code == 2 and "--dataset" in capsys.readouterr().err
