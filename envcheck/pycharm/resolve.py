"""Which interpreter PyCharm would run a project with, or why there is none.

`resolve_project_interpreter` follows PyCharm's own steps: the SDK name from
the project (module SDK, else project SDK), the config directory that opened
the project last (recentProjects.xml; else the newest install's), the exact
name in that directory's jdk.table.xml, then the SDK's homePath. Nothing is
executed here: the caller runs the interpreter only when it is local (see
`envcheck.probing.interpreter.unsafe_to_run`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from envcheck.pycharm.configs import (
    ConfigDir,
    config_for_install,
    find_config_dirs,
    given_config_dirs,
)
from envcheck.pycharm.files import FileProblem, Problems
from envcheck.pycharm.installs import Install, build_key, find_installs
from envcheck.pycharm.layout import PATH_OS_NAMES, Layout
from envcheck.pycharm.projects import (
    PYTHON_SDK_TYPE,
    RecentProject,
    SdkRequest,
    opened_by,
    read_recent_projects,
    read_sdk_request,
)
from envcheck.pycharm.sdks import PythonSdk, find_by_name, jdk_table_path, read_sdks

ResolutionState = Literal[
    "ok",
    "conda",
    "no_interpreter",
    "home_missing",
    "remote",
    "not_local",
    "not_a_project",
    "unreadable",
    "no_config",
]
"""How a project's interpreter resolved (`Resolution.status`, its JSON key "status");
not a check's status (results.Status)."""
NO_INTERPRETER = "<No interpreter>"
"""What PyCharm's status bar and settings show when a project's SDK name matches nothing."""
CONDA_RULE = "the exam guide asks for a python.org Python, not Anaconda"


@dataclass
class PycharmFiles:
    """Installs, config directories and their files, read once per run."""

    layout: Layout
    installs: list[Install]
    configs: list[ConfigDir]
    config_source: str
    problems: Problems = field(default_factory=list)
    _sdks: dict[Path, list[PythonSdk]] = field(default_factory=dict)
    _recents: dict[Path, list[RecentProject]] = field(default_factory=dict)

    @classmethod
    def run(cls, layout: Layout, config: Path | None = None) -> PycharmFiles:
        """Search the layout; `config` (--pycharm-config) replaces the config search."""
        problems: Problems = []
        installs = find_installs(layout, problems)
        if config is not None:
            configs = given_config_dirs(config)
            source = f"--pycharm-config {config}"
        else:
            configs = find_config_dirs(layout, installs)
            source = "discovered"
        return cls(layout, installs, configs, source, problems)

    def sdks(self, cfg: ConfigDir) -> list[PythonSdk]:
        if cfg.path not in self._sdks:
            self._sdks[cfg.path] = read_sdks(cfg.path, self.layout, self.problems)
        return self._sdks[cfg.path]

    def recents(self, cfg: ConfigDir) -> list[RecentProject]:
        if cfg.path not in self._recents:
            self._recents[cfg.path] = read_recent_projects(cfg.path, self.layout, self.problems)
        return self._recents[cfg.path]

    def install_for(self, cfg: ConfigDir) -> Install | None:
        for install in self.installs:
            if config_for_install(install, self.configs) == cfg:
                return install
        return None


@dataclass(frozen=True)
class Resolution:
    """The outcome for one project: an interpreter to run, or the problem."""

    project: Path
    status: ResolutionState
    summary: str
    request: SdkRequest | None = None
    config_dir: ConfigDir | None = None
    config_reason: str | None = None
    sdk: PythonSdk | None = None
    interpreter: Path | None = None
    """Set for "ok" and "conda": a local file PyCharm would run."""
    notes: tuple[str, ...] = ()
    problems: tuple[FileProblem, ...] = ()

    @property
    def usable(self) -> bool:
        return self.interpreter is not None

    @property
    def shown_as(self) -> str:
        """The interpreter as PyCharm's status bar names it."""
        if self.request is None:
            return "(unknown)"
        if self.status == "no_interpreter" or self.request.name is None:
            return NO_INTERPRETER
        return self.request.name

    @property
    def python_for_check(self) -> str:
        """What `check --project` hands to the pipeline as if --python named it.

        Without a usable interpreter this is never a path that could run
        something else: a missing local path stays that path (it "does not
        exist"), a remote SDK becomes a URL (refused as remote), anything else
        is a `<...>` marker, so the interpreter checks report the same problem
        instead of quietly testing another Python.
        """
        if self.interpreter is not None:
            return str(self.interpreter)
        sdk = self.sdk
        if sdk is not None and self.status == "home_missing" and sdk.local_path is not None:
            return str(sdk.local_path)
        if sdk is not None and self.status == "remote":
            if "://" in sdk.home_raw:
                return sdk.home_raw
            scheme = (sdk.remote_kind or "remote").lower().replace(" ", "-")
            return f"{scheme}://{sdk.remote_detail or ''}{sdk.home_raw}"
        if sdk is not None and self.status == "not_local":
            return f"<not on this machine: {sdk.home_raw}>"
        return NO_INTERPRETER

    def fix(self, python: str = "3.8") -> str | None:
        return fix_for(self, python)

    def to_dict(self) -> dict[str, object]:
        return {
            "project": str(self.project),
            "status": self.status,
            "summary": self.summary,
            "shown_as": self.shown_as,
            "interpreter": str(self.interpreter) if self.interpreter else None,
            "request": self.request.to_dict() if self.request else None,
            "config_dir": self.config_dir.to_dict() if self.config_dir else None,
            "config_reason": self.config_reason,
            "sdk": self.sdk.to_dict() if self.sdk else None,
            "notes": list(self.notes),
            "problems": [p.to_dict() for p in self.problems],
            "fix": self.fix(),
        }


def fix_for(res: Resolution, python: str = "3.8") -> str | None:
    """The fix hint for a resolution, naming the Python version the exam wants."""
    settings = "Settings > Project > Python Interpreter"
    new_venv = (
        f"Add Interpreter > Add Local Interpreter > Virtualenv Environment with a python.org "
        f"Python {python} as the base interpreter"
    )
    conda = f"{CONDA_RULE[0].upper()}{CONDA_RULE[1:]}: in {settings}, {new_venv}."
    if res.sdk is not None and res.sdk.conda:
        # A conda environment that is gone or on another machine: recreating it is no fix.
        if res.status == "home_missing":
            return (
                f"The conda environment was deleted or moved, and {CONDA_RULE}: in "
                f"{settings}, {new_venv}, and remove the stale entry there."
            )
        if res.status == "not_local":
            return (
                f"On the machine this PyCharm config comes from ({CONDA_RULE}): in "
                f"{settings}, {new_venv}."
            )
    return {
        "ok": None,
        "conda": conda,
        "no_interpreter": f"Open the project in PyCharm, then in {settings}: {new_venv} "
        "(or pick an existing local one).",
        "home_missing": "The environment was deleted or moved: recreate it "
        f"(python{python} -m venv venv in the project folder) or choose another interpreter in "
        f"{settings}, and remove the stale entry there.",
        "remote": f"The exam plugin needs a local interpreter: in {settings}, {new_venv}.",
        "not_local": "Run tfcert-envcheck on the machine this PyCharm config comes from, or "
        f"choose a local interpreter in {settings}.",
        "not_a_project": "Give the folder PyCharm opened for the exam (the one with .idea/), "
        "after opening it in PyCharm once.",
        "unreadable": "Close PyCharm (it rewrites these files on exit) and run again; if the file "
        "stays broken, delete it and reopen the project.",
        "no_config": "Open the project in PyCharm once, or name the config folder with "
        "--pycharm-config DIR.",
    }[res.status]


def resolve_project_interpreter(
    project: Path,
    config_dir: Path | None = None,
    layout: Layout | None = None,
    *,
    files: PycharmFiles | None = None,
) -> Resolution:
    """Resolve the interpreter PyCharm would use for `project`, without running it.

    `config_dir` is --pycharm-config (a config directory or a folder of
    them); `layout` says which OS layout and home to search (default: this
    machine, moved by TFCERT_ENVCHECK_HOME).
    """
    disc = files or PycharmFiles.run(layout or Layout.current(), config_dir)
    return _Resolver(Path(project).absolute(), disc).run()


@dataclass
class _Resolver:
    """PyCharm's steps for one project, collecting what each step found."""

    project: Path
    disc: PycharmFiles
    cfg: ConfigDir | None = None
    reason: str | None = None
    request: SdkRequest | None = None
    notes: list[str] = field(default_factory=list)

    def done(
        self,
        status: ResolutionState,
        summary: str,
        *,
        sdk: PythonSdk | None = None,
        interpreter: Path | None = None,
    ) -> Resolution:
        cfg = self.cfg
        relevant = tuple(
            p
            for p in self.disc.problems
            if _under(p.path, self.project) or (cfg is not None and _under(p.path, cfg.path))
        )
        return Resolution(
            self.project,
            status,
            summary,
            request=self.request,
            config_dir=cfg,
            config_reason=self.reason,
            sdk=sdk,
            interpreter=interpreter,
            notes=tuple(self.notes),
            problems=relevant,
        )

    def run(self) -> Resolution:
        stopped = self._read_project()
        if stopped is not None:
            return stopped
        found = self._find_sdk()
        if isinstance(found, Resolution):
            return found
        return self._from_sdk(found)

    def _read_project(self) -> Resolution | None:
        """Steps 1 and 2: the SDK name the project asks for, and the config that decides."""
        project, disc = self.project, self.disc
        if not project.is_dir():
            return self.done("not_a_project", f"{project} is not a folder")
        if not (project / ".idea").is_dir():
            return self.done(
                "not_a_project",
                f"{project} has no .idea folder: PyCharm has not opened it as a project",
            )
        found = read_sdk_request(project, disc.problems)
        if isinstance(found, FileProblem):
            return self.done("unreadable", f"cannot tell the project's interpreter: {found}")
        self.request = found
        self.cfg, self.reason, self.notes = _choose_config(project, disc)
        if self.cfg is None:
            where = disc.config_source if disc.config_source != "discovered" else "the usual places"
            return self.done("no_config", f"no PyCharm config directory found ({where})")
        return None

    def _find_sdk(self) -> PythonSdk | Resolution:
        """Step 3: the SDK of exactly that name in the deciding config's jdk.table.xml."""
        request, cfg, disc = self.request, self.cfg, self.disc
        assert request is not None and cfg is not None
        shows = f"PyCharm shows {NO_INTERPRETER}: {request.source}"
        if request.name is None:
            return self.done("no_interpreter", f"{shows} names no SDK")
        if request.sdk_type and request.sdk_type != PYTHON_SDK_TYPE:
            return self.done(
                "no_interpreter",
                f"{shows} names {_q(request.name)}, a {request.sdk_type}, not a Python SDK",
            )
        sdk, count = find_by_name(disc.sdks(cfg), request.name)
        if sdk is None:
            elsewhere = [
                c.name
                for c in disc.configs
                if c != cfg and find_by_name(disc.sdks(c), request.name)[0] is not None
            ]
            if elsewhere:
                self.notes.append(
                    f"{', '.join(elsewhere)} has an SDK of that name: the project was set up in "
                    "another PyCharm version"
                )
            return self.done(
                "no_interpreter",
                f"{shows} names SDK {_q(request.name)}, which {jdk_table_path(cfg.path)} does "
                "not define",
            )
        if count > 1:
            self.notes.append(f"{count} SDKs are named {_q(request.name)}; PyCharm uses the first")
        return sdk

    def _from_sdk(self, sdk: PythonSdk) -> Resolution:
        """Step 4: what the SDK's homePath is on this machine."""
        name = _q(sdk.name)
        if sdk.location == "remote":
            status: ResolutionState = "remote"
            summary = (
                f"SDK {name} is a remote interpreter ({sdk.where}): the exam plugin needs "
                "a local one"
            )
        elif sdk.location != "local" or sdk.local_path is None:
            status = "not_local"
            shape = f", a {PATH_OS_NAMES[sdk.path_os]} path:" if sdk.path_os else ", which is"
            summary = f"SDK {name} points to {sdk.home_raw}{shape} not a path on this machine"
        elif not sdk.home_exists():
            status = "home_missing"
            summary = f"SDK {name} points to {sdk.local_path}, which no longer exists"
        elif sdk.conda:
            status = "conda"
            summary = f"SDK {name} is a conda interpreter ({sdk.conda_reason}): {sdk.local_path}"
        else:
            status = "ok"
            summary = f"SDK {name}: {sdk.local_path}"
        self.notes.extend(_sdk_notes(sdk, status))
        usable = status in ("ok", "conda")
        return self.done(status, summary, sdk=sdk, interpreter=sdk.local_path if usable else None)


def _q(name: str) -> str:
    """A name in quotes, as written (repr() would double every backslash)."""
    return f"'{name}'"


def _sdk_notes(sdk: PythonSdk, status: ResolutionState) -> list[str]:
    """What the recorded version is worth for this kind of SDK, and conda wherever it is."""
    notes: list[str] = []
    if sdk.recorded_version:
        worth = {
            "remote": f"not checked: this {sdk.remote_kind} interpreter is never run",
            "not_local": "cannot be checked here: the interpreter is on the machine this "
            "config comes from",
            "home_missing": "the interpreter is gone, so it cannot be asked",
        }.get(status, "may be stale; the interpreter itself is asked")
        notes.append(f"PyCharm recorded {sdk.recorded_version} ({worth})")
    if sdk.conda and status != "conda":
        notes.append(f"a conda interpreter ({sdk.conda_reason}): {CONDA_RULE}")
    return notes


def _under(path: Path, folder: Path) -> bool:
    try:
        path.relative_to(folder)
    except ValueError:
        return False
    return True


def _choose_config(
    project: Path, disc: PycharmFiles
) -> tuple[ConfigDir | None, str | None, list[str]]:
    """The config directory that opens this project, and how we know."""
    notes: list[str] = []
    if not disc.configs:
        return None, None, notes
    if len(disc.configs) == 1 and disc.config_source != "discovered":
        return disc.configs[0], disc.config_source, notes
    hits: list[tuple[tuple[int, tuple[int, ...], tuple[int, ...]], ConfigDir, RecentProject]] = []
    resolved = project.resolve()
    for cfg in disc.configs:
        for entry in opened_by(project, disc.recents(cfg), disc.layout) or opened_by(
            resolved, disc.recents(cfg), disc.layout
        ):
            hits.append(
                ((entry.opened_ms or 0, build_key(entry.build), cfg.sort_key()), cfg, entry)
            )
    if hits:
        hits.sort(key=lambda h: h[0], reverse=True)
        _, cfg, entry = hits[0]
        by = f"build {entry.build}" if entry.build else "an unknown build"
        if len(hits) > 1:
            others = sorted({h[1].name for h in hits[1:] if h[1] != cfg})
            if others:
                notes.append(f"also opened by {', '.join(others)}")
        return cfg, f"{cfg.name} opened it last ({by}; {entry.source_file.name})", notes
    for install in disc.installs:  # newest build first
        owned = config_for_install(install, disc.configs)
        if owned is not None:
            return (
                owned,
                (
                    f"no recent-projects list names this project; using the newest install, "
                    f"{install.label} ({owned.name})"
                ),
                notes,
            )
    newest = disc.configs[0]
    return newest, f"no install found; using the newest config directory, {newest.name}", notes
