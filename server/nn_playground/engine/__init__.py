"""Pure numerics: datasets, the padded network, losses, optimizers and the jitted frame call.
Imports numpy, jax and optax only; nothing from the web side (FastAPI, pydantic, asyncio)."""
