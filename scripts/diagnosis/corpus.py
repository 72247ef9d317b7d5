"""The labelled incident corpus: one JSON spec per incident under corpus/dev/ and corpus/holdout/
(format: README.md next to this file). `load` reads a set and checks every label."""
import glob
import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))
CATEGORIES = ("bad_deployment", "out_of_memory", "container_crash", "unhealthy_targets", "dependency_failure",
              "capacity_exhaustion", "throttling", "application_error", "unknown")
LABEL_KEYS = {"category", "service", "runtime", "why", "also"}


class CorpusError(ValueError):
    pass


def check_label(name, spec):
    label = spec.get("label")
    if not isinstance(label, dict):
        raise CorpusError("%s: no label" % name)
    unknown = set(label) - LABEL_KEYS
    if unknown:
        raise CorpusError("%s: label has unknown keys %s" % (name, sorted(unknown)))
    for key in ("category", "service", "runtime", "why"):
        if key not in label:
            raise CorpusError("%s: label lacks %r" % (name, key))
    if label["category"] not in CATEGORIES:
        raise CorpusError("%s: label category %r is not one of %s" % (name, label["category"], ", ".join(CATEGORIES)))
    services = {s["name"] for s in spec.get("services", [])}
    for cause in [label] + ([label["also"]] if label.get("also") else []):
        if cause.get("category") not in CATEGORIES:
            raise CorpusError("%s: category %r unknown" % (name, cause.get("category")))
        if cause.get("service") is not None and cause["service"] not in services:
            raise CorpusError("%s: labelled service %r is not among the scenario's services %s"
                              % (name, cause["service"], sorted(services)))


def load(which, directory=None):
    """The scenarios of one set ("dev" or "holdout"), sorted by name, each with its "name"."""
    directory = directory or os.path.join(HERE, "corpus", which)
    scenarios = []
    for path in sorted(glob.glob(os.path.join(directory, "*.json"))):
        name = os.path.splitext(os.path.basename(path))[0]
        try:
            with open(path) as f:
                spec = json.load(f)
        except ValueError as error:
            raise CorpusError("%s: not JSON: %s" % (path, error))
        spec["name"] = name
        check_label(name, spec)
        scenarios.append(spec)
    return scenarios
