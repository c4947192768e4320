"""The files the sandbox takes from npm packages (package.json and package-lock.json pin them),
listed in one place: the pages' front-end libraries (served as /vendor/<name>), json-pollock's
JSON schema (read by the server, model/rich_content.py) and each package's license.

Where they are read from:
* an installed wheel carries a copy in mock_server/_vendor/ (hatch_build.py copies FILES there
  when the wheel is built);
* a source tree (a clone, an editable install, ./dev) has no _vendor/ and reads the repository's
  node_modules/, which `npm ci` installs (./dev does it).

Standard library only: hatch_build.py loads this file before anything is installed.
"""
from pathlib import Path

HERE = Path(__file__).resolve().parent
PACKAGED = HERE / "_vendor"  # an installed wheel's copy, laid out as node_modules/ is
NODE_MODULES = HERE.parent / "node_modules"  # a source tree's

# The npm packages FILES come from (package.json's dependencies).
PACKAGES = ("socket.io-client", "swagger-ui-dist", "json-pollock", "chart.js")

# /vendor/<name> -> the file of an npm package (package.json pins the versions).
VENDOR = {
    "socket.io.min.js": "socket.io-client/dist/socket.io.min.js",
    "socket.io.min.js.map": "socket.io-client/dist/socket.io.min.js.map",
    # /docs: Swagger UI (swagger-ui-dist), started by static/docs.js
    "swagger-ui-bundle.js": "swagger-ui-dist/swagger-ui-bundle.js",
    "swagger-ui-bundle.js.map": "swagger-ui-dist/swagger-ui-bundle.js.map",
    "swagger-ui.css": "swagger-ui-dist/swagger-ui.css",
    "swagger-ui.css.map": "swagger-ui-dist/swagger-ui.css.map",
    # rich content on both pages: LivePerson's renderer json-pollock, loaded by static/js/rich.js
    # (the build without ajv, which needs eval; the server validates with the same schema)
    "json-pollock.global.no_validation.min.js": "json-pollock/dist/json-pollock.global.no_validation.min.js",
    "json-pollock.min.css": "json-pollock/dist/json-pollock.min.css",
    "json-pollock.min.css.map": "json-pollock/dist/json-pollock.min.css.map",
    # /dashboard's charts: Chart.js's UMD build (it bundles @kurkle/color; sets window.Chart)
    "chart.umd.min.js": "chart.js/dist/chart.umd.min.js",
    "chart.umd.min.js.map": "chart.js/dist/chart.umd.min.js.map",
}

# json-pollock's JSON schema (model/rich_content.py; its version from json-pollock/package.json).
SCHEMA = "json-pollock/js/schema"

# Everything a wheel carries (paths under node_modules/; `*` as in glob, matching one or more
# files): the served files, the schema, and each package's package.json and licenses.
FILES = (
    *VENDOR.values(),
    f"{SCHEMA}/*.json",
    *(f"{package}/package.json" for package in PACKAGES),
    *(f"{package}/LICENSE*" for package in PACKAGES),  # LICENSE, or chart.js's LICENSE.md
    "@kurkle/color/LICENSE.md",  # chart.umd.min.js bundles @kurkle/color
    "swagger-ui-dist/NOTICE",
    "swagger-ui-dist/swagger-ui-bundle.js.LICENSE.txt",  # the licenses of what the bundle holds
)


def vendor_root() -> Path:
    """Where the npm files are: the installed copy if there is one, else node_modules/."""
    return PACKAGED if PACKAGED.is_dir() else NODE_MODULES


def vendor_path(relpath: str) -> Path:
    """A file (or folder) of an npm package, by its path under node_modules/."""
    return vendor_root() / relpath
