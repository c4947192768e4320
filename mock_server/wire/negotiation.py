"""Request normalisation LivePerson clients rely on: `.json`/`.xml` suffixes, method override."""

SUFFIXES = {".json": "json", ".xml": "xml"}
OVERRIDABLE = ("PUT", "DELETE")


class LivePersonRequestMiddleware:
    """WSGI middleware: route `<path>.json` like `<path>` and honour X-HTTP-Method-Override.

    LivePerson's sample app builds every URL as `<resource>.json?v=1&NC=true`, and PUT calls
    arrive as POST with `X-HTTP-Method-Override: PUT`; doing both here keeps every route single.
    A rewritten request keeps what the client sent in `sandbox.original_path` and
    `sandbox.original_method` (an OAuth1 signature covers those).
    """

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if "." in path:  # a suffix needs a dot: most requests (the polls) skip the split
            last = path.rsplit("/", 1)[-1]
            for suffix, fmt in SUFFIXES.items():
                if last.endswith(suffix) and len(last) > len(suffix):
                    environ["sandbox.original_path"] = path
                    environ["PATH_INFO"] = path[: -len(suffix)]
                    environ["sandbox.format"] = fmt
                    break
        if environ.get("REQUEST_METHOD") == "POST":
            override = environ.get("HTTP_X_HTTP_METHOD_OVERRIDE", "").strip().upper()
            if override in OVERRIDABLE:
                environ["sandbox.original_method"] = "POST"
                environ["REQUEST_METHOD"] = override
        return self.app(environ, start_response)
