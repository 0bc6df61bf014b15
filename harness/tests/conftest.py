from pathlib import Path

import pytest

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture
def fixtures() -> Path:
    """Captures and probe outputs recorded by the project's own probes (see fixtures/README.md)."""
    return FIXTURES
