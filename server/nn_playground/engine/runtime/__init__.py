"""The runtime: compiles the numerics' jitted functions once (warm-up), keeps the compiled
programs on disk between runs (programs, compilation), and runs a frame of one model or of
several (runner). Sessions call the engine through `runner` only."""
