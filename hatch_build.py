"""Build hooks of hatchling (pyproject.toml's build backend), loaded from this file.

* Metadata: the runtime dependencies are requirements.txt's pins, and the `dev` extra is
  requirements-dev.txt's own lines (the one place of each list; ./dev installs the same files).
* Wheel and sdist: the npm files the sandbox needs (mock_server/vendor.py's FILES: the pages'
  libraries, json-pollock's JSON schema, their licenses) are copied from node_modules/ into
  mock_server/_vendor/, so an installed sandbox needs no repository and no npm. node_modules/
  missing or not what package-lock.json pins: `npm ci` installs it first, or the build fails
  saying so. A wheel built from an sdist takes the sdist's own copy. An editable install
  (pip install -e .) copies nothing: it reads the repository's node_modules/.
"""
import json
import shutil
import subprocess
from importlib.util import module_from_spec, spec_from_file_location
from pathlib import Path

from hatchling.builders.hooks.plugin.interface import BuildHookInterface
from hatchling.metadata.plugin.interface import MetadataHookInterface

TARGET = "mock_server/_vendor"


def requirements(path: Path) -> list[str]:
    """The requirement lines of a pip requirements file: comments, blanks and `-r` dropped."""
    lines = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.split(" #", 1)[0].strip()
        if not line or line.startswith("#") or line.startswith(("-r ", "--requirement")):
            continue
        if line.startswith("-"):
            raise ValueError(f"{path.name}: pip option {line!r} has no place in package metadata")
        lines.append(line)
    return lines


class RequirementsMetadataHook(MetadataHookInterface):
    """dependencies from requirements.txt, optional-dependencies.dev from requirements-dev.txt."""

    def update(self, metadata: dict) -> None:
        root = Path(self.root)
        metadata["dependencies"] = requirements(root / "requirements.txt")
        metadata["optional-dependencies"] = {"dev": requirements(root / "requirements-dev.txt")}


def _vendor_module(root: Path):
    """mock_server/vendor.py, loaded by path (the package's other modules need its dependencies)."""
    spec = spec_from_file_location("_sandbox_vendor", root / "mock_server" / "vendor.py")
    module = module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _expand(base: Path, patterns) -> list[str] | None:
    """FILES' paths found under `base` (None when any is missing)."""
    found = []
    for pattern in patterns:
        matches = sorted(p for p in base.glob(pattern) if p.is_file()) if base.is_dir() else []
        if not matches:
            return None
        found += [p.relative_to(base).as_posix() for p in matches]
    return found


def _stale(root: Path, node_modules: Path, packages) -> list[str]:
    """The packages whose installed version is not package-lock.json's."""
    lock = json.loads((root / "package-lock.json").read_text(encoding="utf-8"))["packages"]
    stale = []
    for name in packages:
        pinned = lock.get(f"node_modules/{name}", {}).get("version")
        try:
            installed = json.loads((node_modules / name / "package.json").read_text(encoding="utf-8"))["version"]
        except (OSError, ValueError, KeyError):
            installed = None
        if installed != pinned:
            stale.append(f"{name} {installed or 'missing'} (package-lock.json: {pinned})")
    return stale


class VendorBuildHook(BuildHookInterface):
    """Puts the npm files into the wheel (and the sdist) as mock_server/_vendor/..."""

    def initialize(self, version: str, build_data: dict) -> None:
        if self.target_name not in ("wheel", "sdist") or version == "editable":
            return  # an editable install reads the repository's node_modules/
        root = Path(self.root)
        vendor = _vendor_module(root)
        source, files = self._source(root, vendor)
        for rel in files:
            build_data["force_include"][str(source / rel)] = f"{TARGET}/{rel}"

    def _source(self, root: Path, vendor) -> tuple[Path, list[str]]:
        """Where the files come from, and which they are (paths under node_modules/)."""
        node_modules = root / "node_modules"
        files = _expand(node_modules, vendor.FILES)
        if files is None:
            carried = _expand(root / TARGET, vendor.FILES)
            if carried is not None:  # an unpacked sdist carries its own copy
                return root / TARGET, carried
            why = ["node_modules/ is missing or incomplete"]
        else:
            why = _stale(root, node_modules, vendor.PACKAGES)
        if why:
            self._npm_ci(root, why)
            files = _expand(node_modules, vendor.FILES)
            why = _stale(root, node_modules, vendor.PACKAGES) if files is not None else ["files missing"]
            if why:
                raise RuntimeError(f"npm ci did not install what mock_server/vendor.py lists: {'; '.join(why)}")
        return node_modules, files

    def _npm_ci(self, root: Path, why: list[str]) -> None:
        npm = shutil.which("npm")
        if npm is None:
            raise RuntimeError(
                "the wheel needs the pages' npm packages (package.json) but node_modules/ is not "
                f"installed ({'; '.join(why)}) and npm is not on PATH: install Node.js/npm and run "
                "`npm ci` in the repository (./dev does it), then build again")
        self.app.display_info(f"node_modules/: {'; '.join(why)}: running npm ci")
        result = subprocess.run([npm, "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=root)
        if result.returncode:
            raise RuntimeError(f"npm ci failed (exit {result.returncode}); the wheel needs node_modules/")
