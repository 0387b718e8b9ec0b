"""`python -m nn_playground`: the same entry point as the `nn-playground` console script."""

from nn_playground.cli import main

raise SystemExit(main())
