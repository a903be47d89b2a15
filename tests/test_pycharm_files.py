"""Broken, empty, cut-short, hostile and odd files: a problem naming the file, never a traceback."""

from __future__ import annotations

from pathlib import Path

import pytest

from envcheck.pycharm.files import FileProblem, read_json_object, read_xml
from envcheck.pycharm.projects import read_recent_projects, read_sdk_request
from envcheck.pycharm.sdks import read_sdks
from tests.pycharm_trees import layout_for

BOMB = (
    '<?xml version="1.0"?>\n<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n'
    ' <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">\n'
    ' <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">\n]>\n'
    '<application><component name="ProjectJdkTable"><jdk version="2">'
    '<name value="&lol3;" /><type value="Python SDK" /><homePath value="/x" /></jdk>'
    "</component></application>\n"
)
EXTERNAL = (
    '<?xml version="1.0"?>\n<!DOCTYPE a [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
    '<application><component name="ProjectJdkTable"><jdk version="2">'
    '<name value="&xxe;" /><type value="Python SDK" /><homePath value="/x" /></jdk>'
    "</component></application>\n"
)


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "is empty"),
        (b"   \n\n", "is empty"),
        (
            b'<application>\n  <component name="ProjectJdkTable">\n'
            b'    <jdk version="2">\n      <na',
            "cut short",
        ),
        (b"<application><component", "cut short"),
        (b"this is not xml at all\n", "not valid XML"),
        (b"\x00\x01\x02\xff\xfe binary", "not valid XML"),
        (b"<a></b>", "not valid XML"),
        (BOMB.encode(), "refused"),
        (EXTERNAL.encode(), "refused"),
    ],
)
def test_bad_xml_is_a_named_problem(tmp_path: Path, content: bytes, reason: str) -> None:
    path = tmp_path / "options" / "jdk.table.xml"
    path.parent.mkdir()
    path.write_bytes(content)
    problems: list[FileProblem] = []
    assert read_xml(path, problems) is None
    assert len(problems) == 1
    assert problems[0].path == path
    assert reason in problems[0].reason
    assert str(path) in str(problems[0])
    # and the SDK reader copes the same way
    more: list[FileProblem] = []
    assert read_sdks(tmp_path, layout_for("linux"), more) == []
    assert [p.path for p in more] == [path]


def test_a_folder_where_a_file_should_be(tmp_path: Path) -> None:
    path = tmp_path / "options" / "recentProjects.xml"
    path.mkdir(parents=True)
    problems: list[FileProblem] = []
    assert read_recent_projects(tmp_path, layout_for("linux"), problems) == []
    assert problems == [FileProblem(path, "is a folder, not a regular file")]


def test_xml_without_the_expected_component_is_just_empty(tmp_path: Path) -> None:
    (tmp_path / "options").mkdir()
    (tmp_path / "options" / "jdk.table.xml").write_text("<application />")
    problems: list[FileProblem] = []
    assert read_sdks(tmp_path, layout_for("linux"), problems) == []
    assert problems == []


def test_utf8_bom_and_declared_encoding(tmp_path: Path) -> None:
    (tmp_path / "options").mkdir()
    (tmp_path / "options" / "jdk.table.xml").write_bytes(
        b'\xef\xbb\xbf<?xml version="1.0" encoding="UTF-8"?>\n<application>'
        b'<component name="ProjectJdkTable"><jdk version="2">'
        b'<name value="Python 3.8 (\xc3\xa9t\xc3\xa9)" />'
        b'<type value="Python SDK" /><homePath value="/opt/py/bin/python" /></jdk>'
        b"</component></application>"
    )
    (sdk,) = read_sdks(tmp_path, layout_for("linux"), [])
    assert sdk.name == "Python 3.8 (été)"


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"", "not valid JSON"),
        (b'{"name": "PyCharm", ', "not valid JSON"),
        (b"[1, 2]", "expected a JSON object"),
        (b"\xff\xfe\x00", "not UTF-8"),
    ],
)
def test_bad_json(tmp_path: Path, content: bytes, reason: str) -> None:
    path = tmp_path / "product-info.json"
    path.write_bytes(content)
    problems: list[FileProblem] = []
    assert read_json_object(path, problems) is None
    assert reason in problems[0].reason and problems[0].path == path


def test_half_written_recent_projects_in_the_fixture() -> None:
    layout = layout_for("linux")
    config = (
        layout.home / ".var/app/com.jetbrains.PyCharm-Community/config/JetBrains/PyCharmCE2023.3"
    )
    problems: list[FileProblem] = []
    assert read_recent_projects(config, layout, problems) == []
    assert [p.path.name for p in problems] == ["recentProjects.xml"]
    assert "cut short" in problems[0].reason
    assert "close PyCharm" in problems[0].reason


def test_cut_short_misc_xml_is_returned_as_the_problem() -> None:
    project = layout_for("linux").home / "PycharmProjects" / "tf-broken"
    problems: list[FileProblem] = []
    got = read_sdk_request(project, problems)
    assert isinstance(got, FileProblem)
    assert got.path == project / ".idea" / "misc.xml"


def test_project_without_misc_xml(tmp_path: Path) -> None:
    (tmp_path / ".idea").mkdir()
    got = read_sdk_request(tmp_path, [])
    assert isinstance(got, FileProblem)
    assert "has not saved this project" in got.reason
