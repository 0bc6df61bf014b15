# Loads sockspec's pytest plugin (harness/sockspec/pytest_plugin.py) for every
# test under this checkout, with the driver package importable from harness/.
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent / "harness"))

pytest_plugins = ["sockspec.pytest_plugin"]
