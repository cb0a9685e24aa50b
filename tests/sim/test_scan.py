"""The deck scanner: ngspice's include rules, and every route to commands or code refused.

The sentinel tests in ``test_security.py`` prove on real ngspice that nothing runs; these check
the reading rules themselves against ngspice 46's source (``src/frontend/inpcom.c``).
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from spicegen.sim import Run
from spicegen.sim.deck import write_deck
from spicegen.sim.errors import UnsafeNetlistError
from spicegen.sim.scan import include_path, library_reference, strip_comment

TEXT = "t\nV1 in 0 dc 1\nR1 in 0 1k\n.end\n"


def _with(line: str) -> str:
    return TEXT.replace(".end", line + "\n.end")


@pytest.mark.parametrize(
    ("line", "path"),
    [
        (".include a.cir", "a.cir"),
        (".inc 'a b.cir'", "a b.cir"),
        ('.INCLUDE "a.cir" trailing words', "a.cir"),
        (".incxyz a.cir", "a.cir"),  # any card starting with .inc is an include
        (".inc a.cir;comment", "a.cir"),
        (".inc a.cir $ comment", "a.cir"),
        (".inc a.cir // comment", "a.cir"),
        (".inc $HOME/a.cir", "$HOME/a.cir"),  # a leading $ is a variable, not a comment
        (".inc", None),
        (".inc 'unterminated", None),
    ],
)
def test_include_paths_are_tokenised_as_ngspice_does(line: str, path: str | None) -> None:
    assert include_path(line) == path


@pytest.mark.parametrize(
    ("line", "reference"),
    [
        (".lib models.lib tt", ("models.lib", "tt")),
        (".lib 'models.lib' tt", ("models.lib", "tt")),
        ('.LIB "m.lib" "ff"', ("m.lib", "ff")),
        (".lib tt", None),  # a section definition
        (".lib m.lib tt ; comment", ("m.lib", "tt")),
    ],
)
def test_library_references_are_tokenised_as_ngspice_does(
    line: str, reference: tuple[str, str] | None
) -> None:
    assert library_reference(line) == reference


def test_a_leading_hash_becomes_a_comment_star() -> None:
    # inp_stripcomments_line: '#' -> '*', which makes "##" a "*#" control line
    assert strip_comment("## shell ls", include=False) == "*# shell ls"


ROUTES = [
    ".control\nshell touch x\n.endc",
    "  .CONTROL",
    "\t.Control_anything",
    ".endc",
    "*# shell touch x",
    "  *#shell touch x",
    "## shell touch x",
    ".title *ng_script",
    ".TITLE   *NG_SCRIPT_with_params",
    ".titlexyz *ng_script",
    ".model m d_cosim(simulation=./evil.so)",
    ".model m D_PROCESS(process_file=evil)",
    ".model m\n+ d_process(process_file=evil)",
    "R1 a b 1k\x0c.control",
    ".con\rtrol",
]


@pytest.mark.parametrize("line", ROUTES)
def test_every_route_to_commands_or_code_is_refused(line: str) -> None:
    with pytest.raises(UnsafeNetlistError, match="allow_control"):
        write_deck(Run(_with(line)))
    assert write_deck(Run(_with(line), allow_control=True)).control


@pytest.mark.parametrize("title", ["*ng_script", "* ignored\n", "*NG_SCRIPT run me"])
def test_a_command_script_title_is_refused(title: str) -> None:
    text = title.splitlines()[0] + "\nshell touch x\n.end\n"
    if title.startswith("* "):
        write_deck(Run(text))  # "* ignored" is only a title
    else:
        with pytest.raises(UnsafeNetlistError, match="command script"):
            write_deck(Run(text))


def test_words_inside_comments_or_values_are_not_routes() -> None:
    text = _with("R2 in 0 1k ; .control is not here\n* .control\n* d_process in a comment")
    write_deck(Run(text))


@given(st.text(alphabet=" \t\r\x0b\x0c.#*controlCONTROLendENDcng_sript\n_x", max_size=40))
def test_any_line_start_ngspice_can_see_as_a_route_is_caught(noise: str) -> None:
    text = _with(noise)
    starts = []
    for line in text.replace("\r", "").splitlines():
        low = line.lstrip().lower()
        starts.append("*" + low[1:] if low.startswith("#") else low)
    routes = (".control", ".endc", "*#", "*ng_script")
    if any(line.startswith(routes) for line in starts):
        with pytest.raises(UnsafeNetlistError):
            write_deck(Run(text))
    else:
        write_deck(Run(text))


def test_routes_inside_nested_includes_are_refused(tmp_path: Path) -> None:
    (tmp_path / "evil.inc").write_text("*# shell touch x\n")
    (tmp_path / "nested.inc").write_text(".incxyz evil.inc\n")
    with pytest.raises(UnsafeNetlistError, match=r"evil\.inc"):
        write_deck(Run(_with(".include nested.inc"), base_dir=str(tmp_path)))


def test_a_library_section_file_is_read_whole(tmp_path: Path) -> None:
    (tmp_path / "m.lib").write_text(".lib tt\nR9 a b 1\n.endl\n.lib ff\n.control\n.endc\n.endl\n")
    with pytest.raises(UnsafeNetlistError, match=r"m\.lib"):
        write_deck(Run(_with(".lib m.lib tt"), base_dir=str(tmp_path)))


def test_a_lib_card_is_an_include_in_pspice_mode(tmp_path: Path) -> None:
    from spicegen.sim import Variable

    (tmp_path / "evil.lib").write_text(".control\n.endc\n")
    write_deck(Run(_with(".lib evil.lib"), base_dir=str(tmp_path)))  # a section definition
    with pytest.raises(UnsafeNetlistError, match=r"evil\.lib"):
        write_deck(
            Run(
                _with(".lib evil.lib"),
                base_dir=str(tmp_path),
                variables=(Variable("ngbehavior", "ps"),),
            )
        )


def test_incpslt_files_read_lib_cards_as_includes(tmp_path: Path) -> None:
    (tmp_path / "evil.cir").write_text(".control\n.endc\n")
    (tmp_path / "pslt.inc").write_text(".lib evil.cir\n")
    with pytest.raises(UnsafeNetlistError, match=r"evil\.cir"):
        write_deck(Run(_with(".incpslt pslt.inc"), base_dir=str(tmp_path)))


def test_the_title_line_is_read_for_includes_too(tmp_path: Path) -> None:
    # ngspice reads dot-cards on line 1: ".inc evil" as a title includes evil
    (tmp_path / "evil.inc").write_text(".control\n.endc\n")
    with pytest.raises(UnsafeNetlistError, match=r"evil\.inc"):
        write_deck(Run(".incxyz evil.inc\nV1 in 0 1\n.end\n", base_dir=str(tmp_path)))


@pytest.mark.parametrize("kind", ["missing", "directory", "unreadable", "fifo", "cycle", "deep"])
def test_what_cannot_be_read_is_refused(tmp_path: Path, kind: str) -> None:
    import os

    target = tmp_path / "x.inc"
    if kind == "directory":
        target.mkdir()
    elif kind == "unreadable":
        # a regular file whose read fails for every user, root included (EIO at offset 0)
        target = Path("/proc/self/mem")
    elif kind == "fifo":
        os.mkfifo(target)
    elif kind == "cycle":
        target.write_text(".include x.inc\n")
    elif kind == "deep":
        for level in range(20):
            (tmp_path / f"d{level}.inc").write_text(f".include d{level + 1}.inc\n")
        (tmp_path / "d20.inc").write_text("R1 a b 1\n")
        target = tmp_path / "d0.inc"
    with pytest.raises(UnsafeNetlistError, match="includes"):
        write_deck(
            Run(
                _with(
                    f".include {target.relative_to(tmp_path) if kind != 'unreadable' else target}"
                ),
                base_dir=str(tmp_path),
            )
        )


def test_an_unset_environment_variable_in_a_path_is_refused(tmp_path: Path) -> None:
    with pytest.raises(UnsafeNetlistError, match="SPICEGEN_NO_SUCH_VARIABLE"):
        write_deck(Run(_with(".include $SPICEGEN_NO_SUCH_VARIABLE/a.inc")))


def test_environment_variables_and_home_expand(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "a.inc").write_text("R2 in 0 1k\n")
    monkeypatch.setenv("SPICEGEN_MODELS", str(tmp_path))
    monkeypatch.setenv("HOME", str(tmp_path))
    for path in ("$SPICEGEN_MODELS/a.inc", "~/a.inc"):
        assert f'"{tmp_path / "a.inc"}"' in write_deck(Run(_with(f".inc {path}"))).text


def test_a_library_may_take_sections_from_itself(tmp_path: Path) -> None:
    # tests/regression/lib-processing/ex2.lib: a section that pulls in another section of the
    # same file; ngspice reads the file once, so it is no include loop
    (tmp_path / "m.lib").write_text(".lib a\n.lib m.lib b\n.endl\n.lib b\nR9 x 0 1\n.endl\n")
    write_deck(Run(_with(".lib m.lib a"), base_dir=str(tmp_path)))
    (tmp_path / "loop.inc").write_text(".include loop.inc\n")
    with pytest.raises(UnsafeNetlistError, match="includes itself"):
        write_deck(Run(_with(".include loop.inc"), base_dir=str(tmp_path)))
