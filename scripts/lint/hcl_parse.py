"""Parses every .tf file under the given directories with python-hcl2; prints one line per file
and exits 1 if any does not parse."""
import pathlib
import sys

import hcl2

failed = 0
count = 0
for root in sys.argv[1:]:
    for path in sorted(pathlib.Path(root).rglob("*.tf")):
        if ".terraform" in path.parts:
            continue
        count += 1
        try:
            with open(path) as handle:
                hcl2.load(handle)
        except Exception as error:  # any parse error is a finding, whatever its type
            failed += 1
            print(f"hcl2: {path}: {error}")
print(f"hcl2: {count - failed} of {count} files parse")
sys.exit(1 if failed else 0)
