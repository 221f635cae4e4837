"""pytest configuration for the integration tests: makes `harness` importable."""
import os
import sys

sys.path.insert(0, os.path.dirname(__file__))
