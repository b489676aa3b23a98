import subprocess
import sys

CHECK = """
import sys
import syncapp.sync.compare, syncapp.sync.mapping
loaded = [m for m in sys.modules if m.split(".")[0] in ("requests", "django", "sandbox", "urllib3")]
print(",".join(sorted(loaded)))
"""


def test_the_mapping_rules_load_without_http_or_django():
    # The design keeps syncapp.sync free of HTTP and views; these two modules need nothing at all.
    result = subprocess.run([sys.executable, "-c", CHECK], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == ""
