"""nn-playground: train small neural networks with JAX and watch them learn in a browser."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("nn-playground")
except PackageNotFoundError:  # running from a source tree that was never installed
    __version__ = "0.0.0+unknown"
